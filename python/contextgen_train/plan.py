"""Token plan (DESIGN 3, CONTRACTS 1): per-token descriptors and 3-axis position ids, plus the
reference-grid choice. A Python port of the core package's plan; the golden vectors keep them equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .masks import LAYOUT, MAIN, PHRASE, REF, TEXT


@dataclass(frozen=True)
class RefGrid:
    """Token grid of one reference: h x w tokens, valid [h, w] bool (any mask pixel in the cell)."""

    h: int
    w: int
    valid: np.ndarray


@dataclass(frozen=True)
class TokenPlan:
    seg: np.ndarray  # int64 [N]
    inst: np.ndarray  # int64 [N]
    cover: np.ndarray  # int64 [N]
    valid: np.ndarray  # int64 [N]
    pos: np.ndarray  # int64 [N, 3]
    n_txt: int  # text + phrase tokens (they lead the sequence)
    n_main: int

    @property
    def n_img(self) -> int:
        return len(self.seg) - self.n_txt


def box_cover(box: tuple[float, float, float, float], P: int, hm: int, wm: int) -> np.ndarray:
    """bool [hm, wm]: floor(x1/P) <= tx < ceil(x2/P), likewise y (CONTRACTS 1)."""
    x1, y1, x2, y2 = box
    tx0, tx1 = max(0, math.floor(x1 / P)), min(wm, math.ceil(x2 / P))
    ty0, ty1 = max(0, math.floor(y1 / P)), min(hm, math.ceil(y2 / P))
    out = np.zeros((hm, wm), dtype=bool)
    if tx1 > tx0 and ty1 > ty0:
        out[ty0:ty1, tx0:tx1] = True
    return out


def token_plan(width: int, height: int, P: int, text_tokens: int, phrase_tokens: list[int],
               boxes: list, ref_grids: list[RefGrid | None]) -> TokenPlan:
    if width % P or height % P:
        raise ValueError(f"canvas {width}x{height} must be a multiple of the token size {P}")
    if len(phrase_tokens) != len(boxes) or len(ref_grids) != len(boxes):
        raise ValueError(f"phrase_tokens ({len(phrase_tokens)}), ref_grids ({len(ref_grids)}) and boxes "
                         f"({len(boxes)}) must have one entry per instance")
    if len(boxes) > 30:
        raise ValueError(f"{len(boxes)} instances exceed the limit of 30 (cover bitset width)")
    hm, wm = height // P, width // P
    seg, inst, cover, valid, pos = [], [], [], [], []

    def add(s: int, i: int, c: int, v: int, p: tuple[int, int, int]) -> None:
        seg.append(s), inst.append(i), cover.append(c), valid.append(v), pos.append(p)

    for _ in range(text_tokens):
        add(TEXT, -1, 0, 1, (0, 0, 0))
    for j, n in enumerate(phrase_tokens):
        for _ in range(n):
            add(PHRASE, j, 0, 1, (0, 0, 0))
    n_txt = len(seg)
    bits = np.zeros((hm, wm), dtype=np.int64)
    for j, box in enumerate(boxes):
        bits += box_cover(box, P, hm, wm).astype(np.int64) << j
    for y in range(hm):
        for x in range(wm):
            add(MAIN, -1, int(bits[y, x]), 1, (0, y, x))
    for y in range(hm):
        for x in range(wm):
            add(LAYOUT, -1, 0, 1, (1, y, x))
    oy, ox = hm, wm
    for j, g in enumerate(ref_grids):
        if g is None:
            continue
        for y in range(g.h):
            for x in range(g.w):
                add(REF, j, 0, int(bool(g.valid[y, x])), (1, oy + y, ox + x))
        oy, ox = oy + g.h, ox + g.w
    arr = lambda a: np.asarray(a, dtype=np.int64)  # noqa: E731
    return TokenPlan(arr(seg), arr(inst), arr(cover), arr(valid), arr(pos).reshape(-1, 3), n_txt, hm * wm)


def choose_ref_grid(crop_h: int, crop_w: int, P: int, ref_area: int, ref_max_side: int) -> tuple[int, int]:
    """(h, w) in tokens, as packages/core refGrid: over h, w in 1..ref_max_side//P minimise
    ln(h/w / aspect)^2 + ln(h*w*P*P / ref_area)^2 (aspect = crop_h / crop_w); ties: larger area, then larger h."""
    m = ref_max_side // P
    if m < 1:
        raise ValueError(f"refMaxSide {ref_max_side} is smaller than the token size {P}")
    log_aspect, log_area = math.log(crop_h / crop_w), math.log(ref_area / (P * P))
    best, best_score = (1, 1), math.inf
    for h in range(1, m + 1):
        for w in range(1, m + 1):
            score = (math.log(h / w) - log_aspect) ** 2 + (math.log(h * w) - log_area) ** 2
            if score < best_score - 1e-12 or (abs(score - best_score) <= 1e-12 and (h * w, h) > (best[0] * best[1], best[0])):
                best, best_score = (h, w), score
    return best
