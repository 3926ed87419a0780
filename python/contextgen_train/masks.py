"""The attention rule of CONTRACTS 1, from per-token descriptors to boolean masks.

One vectorised function, export-friendly (no bitwise ops: the cover bit test is
`(cover // 2**inst) % 2` in int64, with 2**inst gathered from a constant table).
"""

from __future__ import annotations

import torch

TEXT, PHRASE, MAIN, LAYOUT, REF, PAD = 0, 1, 2, 3, 4, 5
SEGMENTS = {"text": TEXT, "phrase": PHRASE, "main": MAIN, "layout": LAYOUT, "ref": REF, "pad": PAD}
MAX_COVER_BITS = 30


def attention_masks(seg: torch.Tensor, inst: torch.Tensor, cover: torch.Tensor,
                    valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """seg/inst/cover/valid int64 [B, N] -> (cla, ica) bool [B, N, N]; [b, q, k] True when q may read k."""
    pow2 = torch.tensor([2**i for i in range(MAX_COVER_BITS + 1)], dtype=torch.int64, device=seg.device)  # [31]
    qs, ks = seg[:, :, None], seg[:, None, :]  # [B, N, 1], [B, 1, N]
    qi, ki = inst[:, :, None], inst[:, None, :]
    kvalid = valid[:, None, :] == 1  # [B, 1, N]
    kbit = pow2[ki.clamp(0, MAX_COVER_BITS)]  # [B, 1, N]
    covered = torch.remainder(torch.div(cover[:, :, None], kbit, rounding_mode="floor"), 2) == 1  # [B, N, N]
    covered = covered & (ki >= 0)

    k_ctx = (ks == TEXT) | (ks == MAIN) | (ks == LAYOUT)  # [B, 1, N]
    same_inst = qi == ki  # [B, N, N]
    q_main = qs == MAIN
    base = (((qs == TEXT) | (qs == LAYOUT)) & k_ctx) \
        | (q_main & (k_ctx | ((ks == PHRASE) & covered))) \
        | ((qs == REF) & ((ks == TEXT) | ((ks == REF) & same_inst & kvalid))) \
        | ((qs == PHRASE) & (ks == PHRASE) & same_inst) \
        | ((qs == PAD) & (ks == PAD))  # [B, N, N]
    ica = base | (q_main & (ks == REF) & kvalid & covered)  # [B, N, N]
    return base, ica
