"""Reference cutout -> token patches by the reference-grid rule (CONTRACTS 1): crop to the mask's
bounding box, choose the grid, bilinear resize (mask too, threshold 0.5), multiply RGB by the mask."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .patches import patchify, to_model_space
from .plan import RefGrid, choose_ref_grid



@dataclass(frozen=True)
class RefTokens:
    grid: RefGrid
    patches: np.ndarray  # float32 [h*w, P*P*3], background 0


def reference_tokens(rgba: np.ndarray, P: int, ref_area: int, ref_max_side: int) -> RefTokens | None:
    """rgba uint8 [R, R', 4] -> tokens, or None when the mask is empty (the instance has no reference)."""
    inside = rgba[..., 3] > 0  # as packages/core: alpha > 0 is inside
    if not inside.any():
        return None
    ys, xs = np.nonzero(inside)
    crop = rgba[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = choose_ref_grid(crop.shape[0], crop.shape[1], P, ref_area, ref_max_side)
    x = torch.from_numpy(np.ascontiguousarray(crop)).permute(2, 0, 1)[None].float()  # [1, 4, ch, cw]
    x[:, 3] = (x[:, 3] > 0).float()  # binary mask, resized bilinear then thresholded at 0.5
    x = F.interpolate(x, size=(h * P, w * P), mode="bilinear", align_corners=False)[0].permute(1, 2, 0).numpy()
    mask = x[..., 3] >= 0.5  # [h*P, w*P]
    rgb = to_model_space(np.clip(np.round(x[..., :3]), 0, 255).astype(np.uint8)) * mask[..., None]
    valid = mask.reshape(h, P, w, P).any(axis=(1, 3))
    return RefTokens(RefGrid(h, w, valid), patchify(rgb.astype(np.float32), P))
