"""Plausible random denoiser inputs from a real token plan (export tracing, parity tests, FLOP counts)."""

from __future__ import annotations

import numpy as np
import torch

from .configs import ModelConfig
from .plan import RefGrid, choose_ref_grid, token_plan

DENOISER_INPUTS = ("txt", "img", "pos", "seg", "inst", "cover", "valid", "t")


def dummy_inputs(cfg: ModelConfig, batch: int = 1, instances: int = 2, size: int | None = None,
                 text_tokens: int = 5, phrase_tokens: int = 2, seed: int = 0) -> dict[str, torch.Tensor]:
    """Inputs for `instances` boxes on a size x size canvas, references at the config's refArea."""
    rng = np.random.default_rng(seed)
    size = size or cfg.image_size
    P = cfg.token_size
    boxes, grids = [], []
    for _ in range(instances):
        x1, y1 = rng.integers(0, size // 2, 2)
        w, h = rng.integers(size // 4, size // 2 + 1, 2)
        boxes.append((int(x1), int(y1), int(min(size, x1 + w)), int(min(size, y1 + h))))
        gh, gw = choose_ref_grid(int(h), int(w), P, cfg.limits.refArea, cfg.limits.refMaxSide)
        valid = rng.random((gh, gw)) > 0.2
        grids.append(RefGrid(gh, gw, valid))
    plan = token_plan(size, size, P, text_tokens, [phrase_tokens] * instances, boxes, grids)
    g = torch.Generator().manual_seed(seed)
    rep = lambda a: torch.from_numpy(a)[None].repeat(batch, *([1] * a.ndim))  # noqa: E731
    return {
        "txt": torch.randn(batch, plan.n_txt, cfg.text_dim, generator=g),
        "img": torch.randn(batch, plan.n_img, cfg.patch_dim, generator=g),
        "pos": rep(plan.pos), "seg": rep(plan.seg), "inst": rep(plan.inst),
        "cover": rep(plan.cover), "valid": rep(plan.valid),
        "t": torch.rand(batch, generator=g),
    }
