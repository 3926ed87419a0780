"""Flow matching and Diffusion-DPO, as pure functions (CONTRACTS 4 conventions:
x_t = (1 - t) x0 + t eps, the model predicts v = eps - x0)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def sample_t(batch: int, mean: float, std: float, gen: torch.Generator, device: torch.device) -> Tensor:
    """Logit-normal timesteps [B] in (0, 1)."""
    return torch.sigmoid(mean + std * torch.randn(batch, generator=gen, device=device))


def noisy(x0: Tensor, eps: Tensor, t: Tensor) -> Tensor:
    """x0, eps [B, Nm, Pd], t [B] -> x_t [B, Nm, Pd]."""
    t = t[:, None, None]
    return (1 - t) * x0 + t * eps


def per_sample_mse(v_pred: Tensor, x0: Tensor, eps: Tensor) -> Tensor:
    """[B]: mean over tokens and channels of (v_pred - (eps - x0))^2."""
    return (v_pred.float() - (eps - x0).float()).pow(2).flatten(1).mean(1)


def dpo_loss(lw: Tensor, ll: Tensor, lw_ref: Tensor, ll_ref: Tensor, beta: float) -> Tensor:
    """Diffusion-DPO (DESIGN 1): -logsigmoid(-0.5 beta ((Lw - Ll) - (Lw_ref - Ll_ref))), mean over the batch.
    Lower when the policy improves on the winner (ground truth) more than on the loser (layout image)."""
    return -F.logsigmoid(-0.5 * beta * ((lw - ll) - (lw_ref - ll_ref))).mean()
