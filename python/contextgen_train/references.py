"""Reference cutout -> token patches by the reference-grid rule (CONTRACTS 1): crop to the mask's
bounding box, choose the grid, bilinear resize (mask too, threshold 0.5), multiply RGB by the mask."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .patches import patchify, to_model_space
from .plan import RefGrid, choose_ref_grid

# The one alpha-to-mask rule, as packages/core/src/subject-rule.ts: an alpha (or mask value) of at
# least half coverage, 128 of 255, is the subject; below is background (the official code
# binarizes its masks at 0.5).
SUBJECT_MIN = 128


def subject_mask(alpha: np.ndarray) -> np.ndarray:
    """uint8 alpha / mask values -> bool subject mask by the shared rule."""
    return alpha >= SUBJECT_MIN


def _bilinear_axis(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = np.clip((np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5, 0, n_in - 1)
    i0 = np.floor(s).astype(np.int64)
    return i0, np.minimum(i0 + 1, n_in - 1), s - i0


def bilinear_resize(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """float64 [H, W, C] -> [out_h, out_w, C]: half-pixel centres, edge clamp, no antialiasing
    (torch bilinear, align_corners=False), computed with the same float64 operations in the same
    order as packages/core image-ops, so training and inference get the same bytes and masks."""
    y0, y1, wy = _bilinear_axis(img.shape[0], out_h)
    x0, x1, wx = _bilinear_axis(img.shape[1], out_w)
    wx, wy = wx[None, :, None], wy[:, None, None]
    top = img[y0][:, x0] + (img[y0][:, x1] - img[y0][:, x0]) * wx
    bottom = img[y1][:, x0] + (img[y1][:, x1] - img[y1][:, x0]) * wx
    return top + (bottom - top) * wy


@dataclass(frozen=True)
class RefTokens:
    grid: RefGrid
    patches: np.ndarray  # float32 [h*w, P*P*3], background 0


def reference_tokens(rgba: np.ndarray, P: int, ref_area: int, ref_max_side: int) -> RefTokens | None:
    """rgba uint8 [R, R', 4] -> tokens, or None when the mask is empty (the instance has no reference)."""
    inside = subject_mask(rgba[..., 3])
    if not inside.any():
        return None
    ys, xs = np.nonzero(inside)
    crop = rgba[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = choose_ref_grid(crop.shape[0], crop.shape[1], P, ref_area, ref_max_side)
    x = np.ascontiguousarray(crop).astype(np.float64)  # [ch, cw, 4]
    x[..., 3] = inside[ys.min():ys.max() + 1, xs.min():xs.max() + 1]  # binary mask, resized bilinear then thresholded at 0.5
    x = bilinear_resize(x, h * P, w * P)
    mask = x[..., 3] >= 0.5  # [h*P, w*P]
    rgb = to_model_space(np.clip(np.floor(x[..., :3] + 0.5), 0, 255).astype(np.uint8)) * mask[..., None]  # round half up
    valid = mask.reshape(h, P, w, P).any(axis=(1, 3))
    return RefTokens(RefGrid(h, w, valid), patchify(rgb.astype(np.float32), P))
