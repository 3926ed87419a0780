"""Optional FlexAttention path (`ContextGenDiT(cfg, attention="flex")`, `gpu_run --attention flex`).

The mask_mod closes over the per-token descriptors and applies the one CONTRACTS 1 rule of `masks.py`
(`allowed`) to [b, q] / [b, kv]; `create_block_mask` turns it into a block-sparse mask, so blocks that
no query of a block may read (e.g. refs of other instances, padding) are skipped. On CUDA the
flex_attention function is compiled once (lazily); on CPU it runs eagerly (tests, correctness only).
The ONNX export always uses the default SDPA path.
"""

from __future__ import annotations

import warnings
from typing import Callable

import torch
from torch import Tensor
from torch.nn.attention.flex_attention import BlockMask, create_block_mask, flex_attention

from .masks import PAD, allowed, pow2_table

ATTENTION_IMPLS = ("sdpa", "flex")
BLOCK = 128  # flex_attention's default block size

_compiled: Callable | None = None


def check_attention(name: str) -> str:
    if name not in ATTENTION_IMPLS:
        raise ValueError(f"attention={name!r} is not known: use one of {', '.join(ATTENTION_IMPLS)} "
                         "(sdpa = dense additive masks, the default and the export path; flex = FlexAttention)")
    return name


def mask_mods(seg: Tensor, inst: Tensor, cover: Tensor, valid: Tensor, block: int = BLOCK) -> dict[str, Callable]:
    """Descriptors int64 [B, N] -> {"cla", "ica"}: mask_mod(b, h, q_idx, kv_idx) -> bool.
    The descriptors are padded with PAD tokens to a multiple of BLOCK, so a kernel that evaluates the
    mod on the padded tail of the last block reads in-bounds PAD rows (never real tokens)."""
    n = seg.shape[1]
    extra = -n % block
    pad = lambda x, v: torch.nn.functional.pad(x, (0, extra), value=v)  # noqa: E731
    seg, inst, cover, kvalid = pad(seg, PAD), pad(inst, -1), pad(cover, 0), pad(valid, 0) == 1  # [B, N']
    pow2 = pow2_table(seg.device)

    def mod(which: int) -> Callable:
        def mask_mod(b: Tensor, h: Tensor, q: Tensor, kv: Tensor) -> Tensor:
            return allowed(seg[b, q], inst[b, q], cover[b, q], seg[b, kv], inst[b, kv], kvalid[b, kv], pow2)[which]
        return mask_mod

    return {"cla": mod(0), "ica": mod(1)}


def block_masks(seg: Tensor, inst: Tensor, cover: Tensor, valid: Tensor, kinds: set[str],
                block: int = BLOCK) -> dict[str, BlockMask]:
    """One BlockMask [B, 1 (all heads), N, N] per layer kind in use."""
    B, N = seg.shape
    mods = mask_mods(seg, inst, cover, valid, block)
    return {k: create_block_mask(mods[k], B, None, N, N, device=seg.device, BLOCK_SIZE=block) for k in sorted(kinds)}


def flex(q: Tensor, k: Tensor, v: Tensor, block_mask: BlockMask) -> Tensor:
    """q, k, v [B, H, N, D] -> [B, H, N, D]. One dtype for all three (under bf16 autocast the QK-normed
    q, k come out fp32 and v bf16; SDPA casts them itself, flex_attention does not)."""
    q, k = q.to(v.dtype), k.to(v.dtype)
    if q.device.type == "cuda":
        global _compiled
        if _compiled is None:
            _compiled = torch.compile(flex_attention, dynamic=False)
        return _compiled(q, k, v, block_mask=block_mask)
    with warnings.catch_warnings():  # eager on CPU: the unfused reference implementation, by intent
        warnings.filterwarnings("ignore", message="flex_attention called without torch.compile")
        return flex_attention(q, k, v, block_mask=block_mask)
