"""The token plan TypeScript sends in job.json (spec/WORKER-PROTOCOL.md 4.1): checked, and its position ids
recomputed by the official rule so both languages provably agree (a mismatch refuses the job)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from contextgen_train.masks import LAYOUT, MAIN, REF, TEXT

from .errors import bad_input

MAX_TOKENS = 65536  # 2048^2 + 4 refs is ~45 k; anything larger is a malformed request
MAX_COVER = 2**30


@dataclass(frozen=True)
class FluxPlan:
    text_tokens: int
    hm: int
    wm: int
    ref_grids: list[tuple[int, int]]  # (h, w) tokens per reference, in sequence order
    seg: np.ndarray  # int64 [N]
    inst: np.ndarray
    cover: np.ndarray
    valid: np.ndarray
    pos: np.ndarray  # int64 [N, 3]

    @property
    def n_main(self) -> int:
        return self.hm * self.wm


def positions(text_tokens: int, hm: int, wm: int, ref_grids: list[tuple[int, int]]) -> np.ndarray:
    """int64 [N, 3]: text (0,0,0); main (0,y,x); layout (1,y,x); ref k (1, Y_k + y, X_k + x) with
    X_0 = Wm, Y_0 = Hm and X_(k+1) = X_k + w_k, Y_(k+1) = Y_k + h_k (official prepare_instance_img_pe)."""
    parts = [np.zeros((text_tokens, 3), np.int64)]

    def grid(axis0: int, h: int, w: int, oy: int, ox: int) -> np.ndarray:
        y, x = np.meshgrid(np.arange(h) + oy, np.arange(w) + ox, indexing="ij")
        return np.stack([np.full(h * w, axis0), y.reshape(-1), x.reshape(-1)], axis=1).astype(np.int64)

    parts += [grid(0, hm, wm, 0, 0), grid(1, hm, wm, 0, 0)]
    oy, ox = hm, wm
    for h, w in ref_grids:
        parts.append(grid(1, h, w, oy, ox))
        oy, ox = oy + h, ox + w
    return np.concatenate(parts)


def _int_array(doc: dict, key: str, n: int, width: int = 0) -> np.ndarray:
    v = doc.get(key)
    if not isinstance(v, list) or len(v) != n:
        got = len(v) if isinstance(v, list) else type(v).__name__
        raise bad_input(f"job.json plan.{key}: expected a list of {n} entries (one per token), got {got}.")
    rows = v if not width else [r for r in v if isinstance(r, list) and len(r) == width]
    if len(rows) != n:
        raise bad_input(f"job.json plan.{key}: every entry must be a list of {width} integers.")
    flat = [x for r in rows for x in r] if width else rows
    # Integers only: numpy would silently truncate 1.5 to 1, and bool is an int subclass in Python.
    bad = next((x for x in flat if type(x) is not int or not -2**62 < x < 2**62), None)
    if bad is not None:
        raise bad_input(f"job.json plan.{key}: entries must be integers (found {bad!r}).")
    return np.asarray(flat, dtype=np.int64).reshape((n, width) if width else (n,))


def parse_plan(doc: object, width: int, height: int, ref_sizes: list[tuple[int, int]], token_size: int,
               text_tokens: int | None) -> FluxPlan:
    """`doc` = job.json `plan`; ref_sizes = (width, height) px of ref-k.png. text_tokens: the model's text length
    (None accepts the plan's own, for plan-only checks)."""
    if not isinstance(doc, dict):
        raise bad_input("job.json `plan` must be an object (spec/WORKER-PROTOCOL.md 4.1).")
    P = doc.get("tokenSize")
    if P != token_size:
        raise bad_input(f"job.json plan.tokenSize is {P!r}; this model's token size is {token_size}.")
    T = doc.get("textTokens")
    if not isinstance(T, int) or T < 1 or (text_tokens is not None and T != text_tokens):
        raise bad_input(f"job.json plan.textTokens is {T!r}; this model encodes {text_tokens} text tokens.")
    if width % P or height % P:
        raise bad_input(f"width x height {width}x{height} must be multiples of {P}.")
    hm, wm = height // P, width // P
    grids = []
    for k, (w, h) in enumerate(ref_sizes):
        if w % P or h % P or w < P or h < P:
            raise bad_input(f"ref-{k}.png is {w}x{h}; reference sides must be positive multiples of {P} "
                            "(TypeScript sizes references).")
        grids.append((h // P, w // P))
    n = T + 2 * hm * wm + sum(h * w for h, w in grids)
    if n > MAX_TOKENS:
        raise bad_input(f"the sequence would have {n} tokens (limit {MAX_TOKENS}): use a smaller canvas or "
                        "fewer/smaller references.")
    seg, inst, cover, valid = (_int_array(doc, k, n) for k in ("seg", "inst", "cover", "valid"))
    pos = _int_array(doc, "pos", n, 3)

    # Expected segment layout and per-segment invariants.
    bounds = [(TEXT, 0, T), (MAIN, T, T + hm * wm), (LAYOUT, T + hm * wm, T + 2 * hm * wm)]
    start = T + 2 * hm * wm
    for h, w in grids:
        bounds.append((REF, start, start + h * w))
        start += h * w
    names = {TEXT: "text", MAIN: "main", LAYOUT: "layout", REF: "ref"}
    ref_insts = []
    for k, (s, a, b) in enumerate(bounds):
        where = names[s] if s != REF else f"ref {k - 3}"
        bad = np.nonzero(seg[a:b] != s)[0]
        if len(bad):
            raise bad_input(f"job.json plan.seg[{a + bad[0]}] = {seg[a + bad[0]]}; token {a + bad[0]} lies in the "
                            f"{where} segment (seg {s}). Sequence order: text, main, layout, ref 0, ref 1, ...")
        if s == REF:
            i = int(inst[a])
            if not 0 <= i < 30 or np.any(inst[a:b] != i):
                raise bad_input(f"job.json plan.inst of {where} must be one instance index in 0..29 for all its "
                                "tokens.")
            if i in ref_insts:
                raise bad_input(f"job.json plan: two references carry instance {i}.")
            ref_insts.append(i)
            if np.any((valid[a:b] != 0) & (valid[a:b] != 1)):
                raise bad_input(f"job.json plan.valid of {where} must be 0 or 1.")
            if not valid[a:b].any():
                raise bad_input(f"{where}: no valid token (its mask is empty). Every reference needs a mask with "
                                "opaque pixels.")
            if np.any(cover[a:b] != 0):
                raise bad_input(f"job.json plan.cover must be 0 outside the main segment ({where}).")
        else:
            if np.any(inst[a:b] != -1) or np.any(valid[a:b] != 1):
                raise bad_input(f"job.json plan: {where} tokens need inst -1 and valid 1.")
            if s != MAIN and np.any(cover[a:b] != 0):
                raise bad_input(f"job.json plan.cover must be 0 outside the main segment ({where}).")
    main = cover[T:T + hm * wm]
    if np.any(main < 0) or np.any(main >= MAX_COVER):
        raise bad_input("job.json plan.cover of main tokens must be a bitset in 0 .. 2^30-1.")
    expected = positions(T, hm, wm, grids)
    diff = np.nonzero(np.any(pos != expected, axis=1))[0]
    if len(diff):
        i = int(diff[0])
        raise bad_input(f"job.json plan.pos[{i}] = {pos[i].tolist()}, but the position rule gives "
                        f"{expected[i].tolist()} (CONTRACTS 1); TypeScript and Python disagree on positions.")
    return FluxPlan(T, hm, wm, grids, seg, inst, cover, valid, pos)
