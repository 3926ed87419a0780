"""The attention rule of CONTRACTS 1, from per-token descriptors to boolean masks.

`allowed` is the one rule, written on broadcastable query/key descriptors: `attention_masks` calls it
on [B, N, 1] x [B, 1, N] views (dense masks, the SDPA and ONNX path), `flex.py` on per-element
descriptors inside a FlexAttention mask_mod. Export-friendly (no bitwise ops: the cover bit test is
`(cover // 2**inst) % 2` in int64, with 2**inst gathered from a constant table).
"""

from __future__ import annotations

import torch

TEXT, PHRASE, MAIN, LAYOUT, REF, PAD = 0, 1, 2, 3, 4, 5
SEGMENTS = {"text": TEXT, "phrase": PHRASE, "main": MAIN, "layout": LAYOUT, "ref": REF, "pad": PAD}
MAX_COVER_BITS = 30


def pow2_table(device: torch.device | str) -> torch.Tensor:
    """int64 [31]: 2**i, the divisors of the cover bit test."""
    return torch.tensor([2**i for i in range(MAX_COVER_BITS + 1)], dtype=torch.int64, device=device)


def allowed(qs: torch.Tensor, qi: torch.Tensor, qcover: torch.Tensor, ks: torch.Tensor, ki: torch.Tensor,
            kvalid: torch.Tensor, pow2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Query descriptors (seg, inst, cover) and key descriptors (seg, inst, valid as bool), any shapes that
    broadcast together -> (cla, ica) bool: True where the query may read the key."""
    kbit = pow2[ki.clamp(0, MAX_COVER_BITS)]
    covered = torch.remainder(torch.div(qcover, kbit, rounding_mode="floor"), 2) == 1
    covered = covered & (ki >= 0)

    k_ctx = (ks == TEXT) | (ks == MAIN) | (ks == LAYOUT)
    same_inst = qi == ki
    q_main = qs == MAIN
    base = (((qs == TEXT) | (qs == LAYOUT)) & k_ctx) \
        | (q_main & (k_ctx | ((ks == PHRASE) & covered))) \
        | ((qs == REF) & ((ks == TEXT) | ((ks == REF) & same_inst & kvalid))) \
        | ((qs == PHRASE) & (ks == PHRASE) & same_inst) \
        | ((qs == PAD) & (ks == PAD))
    ica = base | (q_main & (ks == REF) & kvalid & covered)
    return base, ica


def attention_masks(seg: torch.Tensor, inst: torch.Tensor, cover: torch.Tensor,
                    valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """seg/inst/cover/valid int64 [B, N] -> (cla, ica) bool [B, N, N]; [b, q, k] True when q may read k."""
    return allowed(seg[:, :, None], inst[:, :, None], cover[:, :, None],  # queries [B, N, 1]
                   seg[:, None, :], inst[:, None, :], valid[:, None, :] == 1,  # keys [B, 1, N]
                   pow2_table(seg.device))
