"""Pixel <-> model space and image <-> token patches (CONTRACTS 4 patch layout)."""

from __future__ import annotations

import numpy as np
import torch


def to_model_space(rgb: np.ndarray) -> np.ndarray:
    """uint8 -> float32 v/127.5 - 1."""
    return rgb.astype(np.float32) / 127.5 - 1.0


def layout_to_model_space(rgb: np.ndarray) -> np.ndarray:
    """Layout image: empty pixels (128,128,128 in shards) become exactly 0 (CONTRACTS 4)."""
    out = to_model_space(rgb)
    out[(rgb == 128).all(-1)] = 0.0
    return out


def patchify(img: np.ndarray, P: int) -> np.ndarray:
    """[H, W, C] -> [H/P * W/P, P*P*C]; token (ty, tx) holds pixels (ty*P+py, tx*P+px), (py*P+px)*C + c."""
    H, W, C = img.shape
    return img.reshape(H // P, P, W // P, P, C).transpose(0, 2, 1, 3, 4).reshape((H // P) * (W // P), P * P * C)


def unpatchify(tokens: torch.Tensor, h: int, w: int, P: int, C: int = 3) -> torch.Tensor:
    """[..., h*w, P*P*C] -> [..., h*P, w*P, C]."""
    lead = tokens.shape[:-2]
    x = tokens.reshape(*lead, h, w, P, P, C)
    n = len(lead)
    perm = list(range(n)) + [n, n + 2, n + 1, n + 3, n + 4]
    return x.permute(perm).reshape(*lead, h * P, w * P, C)
