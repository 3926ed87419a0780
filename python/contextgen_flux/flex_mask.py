"""Block-sparse attention for the published model: FlexAttention `BlockMask`s from the job's descriptors.

`SpeedMasks` holds one mask per kind ("cla", "ica") for one request, built once in `prepare` and read by every
block of that kind: dense bool [1, 1, N, N] (SDPA) or a FlexAttention `BlockMask` (block-sparse: 128 x 128 tiles
no query of the tile may read are skipped). Both come from the one rule (`contextgen_train.masks.allowed`, via
`contextgen_train.flex.mask_mods` for the block mask), so they agree element-wise, padding included. Both are
built in chunks of query rows (memory ~ N^2 bytes at most, not N x N int64 intermediates: at 18 k tokens those
would take tens of GB, which the 24 GB profile cannot spare).

`SpeedAttnProcessor` is the worker's `ContextGenAttnProcessor` that also takes `SpeedMasks`: a dense mask goes to
diffusers' own attention (unchanged), a `BlockMask` to `flex_attention` (compiled once on CUDA, eager on CPU). It
reads the mask by kind only, never its block index, so one compiled graph serves every block of a class and kind.
"""

from __future__ import annotations

import logging

import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention

from contextgen_train.flex import BLOCK, flex, mask_mods
from contextgen_train.masks import allowed, pow2_table

from .attention import KINDS, ContextGenAttnProcessor, block_names

log = logging.getLogger("contextgen_flux")

ATTENTION = ("auto", "dense", "flex")


def flex_unavailable(device: torch.device, dtype: torch.dtype = torch.float32) -> str | None:
    """Why the flex path cannot run here (None when it can): a tiny block mask and one attention call in the
    model's dtype (on CUDA this compiles the kernel once, a few seconds)."""
    try:
        d = torch.zeros(3, dtype=torch.int64, device=device)
        bm = masks_from_descriptors([d + 2, d - 1, d, d + 1], "flex")["cla"]  # 3 MAIN tokens
        q = torch.zeros(1, 1, 3, 16, device=device, dtype=dtype)
        flex(q, q, q, bm)
        return None
    except Exception as e:  # noqa: BLE001 - any failure means: use the dense path, and say why
        return f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"


def resolve_attention(requested: str, device: torch.device,
                      dtype: torch.dtype = torch.float32) -> tuple[str, str]:
    """-> (attention actually used, reason). auto = flex on CUDA when it works, dense elsewhere."""
    if requested not in ATTENTION:
        raise ValueError(f"attention must be one of {', '.join(ATTENTION)} (got {requested!r})")
    if requested == "dense" or (requested == "auto" and device.type != "cuda"):
        return "dense", "dense boolean masks (SDPA)" + (", auto on CPU" if requested == "auto" else "")
    why = flex_unavailable(device, dtype)
    if why is not None:
        log.warning("block-sparse attention unavailable, using dense masks: %s", why)
        return "dense", f"flex unavailable ({why})"
    return "flex", "FlexAttention block mask"


ROWS = 1024  # query rows per chunk of the rule: intermediates of ROWS x N int64, not N x N (18 k tokens: 0.15 GB)


def rule_rows(d: list[torch.Tensor], rows: int = ROWS):
    """Yield (row offset, (cla, ica) bool [rows, N]) of the one rule (masks.allowed) for chunks of query rows of the
    descriptors d = (seg, inst, cover, valid) int64 [N]."""
    seg, inst, cover, valid = d
    pow2 = pow2_table(seg.device)
    ks, ki, kv = seg[None], inst[None], (valid == 1)[None]
    for r0 in range(0, seg.shape[0], rows):
        sl = slice(r0, r0 + rows)
        yield r0, allowed(seg[sl, None], inst[sl, None], cover[sl, None], ks, ki, kv, pow2)


def _ordered(blocks: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """bool [Qb, KVb] -> (num int32 [1, 1, Qb], indices int32 [1, 1, Qb, KVb]) with the set blocks first, in order."""
    num = blocks.sum(-1, dtype=torch.int32)
    idx = torch.argsort(blocks.to(torch.int8), dim=-1, descending=True, stable=True).to(torch.int32)
    return num[None, None], idx[None, None]


def masks_from_descriptors(d: list[torch.Tensor], attention: str, block: int = BLOCK,
                           rows: int = ROWS) -> dict[str, torch.Tensor | BlockMask]:
    """Descriptors [N] (on the target device) -> {kind: dense bool [1, 1, N, N] or BlockMask}, built in row chunks.
    BlockMask: the tiles some (q, k) may read are visited; tiles every (q, k) may read are `full` (no mask_mod
    evaluation), as create_block_mask does, without its N x N intermediates."""
    n = d[0].shape[0]
    if attention == "dense":
        out = {k: torch.empty(n, n, dtype=torch.bool, device=d[0].device) for k in KINDS}
        for r0, pair in rule_rows(d, rows):
            for k, m in zip(KINDS, pair):
                out[k][r0:r0 + m.shape[0]] = m
        return {k: v[None, None] for k, v in out.items()}
    if attention != "flex":
        raise ValueError(f"attention must be dense or flex here (got {attention!r})")
    rows = max(block, rows // block * block)
    nb = -(-n // block)
    anyb = {k: torch.zeros(nb, nb, dtype=torch.bool, device=d[0].device) for k in KINDS}
    allb = {k: torch.zeros(nb, nb, dtype=torch.bool, device=d[0].device) for k in KINDS}
    for r0, pair in rule_rows(d, rows):
        for k, m in zip(KINDS, pair):
            q = m.shape[0]
            tiles = torch.nn.functional.pad(m, (0, nb * block - n, 0, -q % block))  # outside N: False
            tiles = tiles.unflatten(0, (-1, block)).unflatten(2, (nb, block))  # [qb, block, nb, block]
            b0 = r0 // block
            anyb[k][b0:b0 + tiles.shape[0]] = tiles.any(3).any(1)
            allb[k][b0:b0 + tiles.shape[0]] = tiles.all(3).all(1)
    mods = mask_mods(*(t[None] for t in d), block)
    out = {}
    for k in KINDS:
        partial, full = _ordered(anyb[k] & ~allb[k]), _ordered(allb[k])
        out[k] = BlockMask.from_kv_blocks(partial[0], partial[1], full[0], full[1], BLOCK_SIZE=(block, block),
                                          mask_mod=mods[k], seq_lengths=(n, n))
    return out


class SpeedMasks:
    """The masks of one request by kind: dense bool tensors or BlockMasks, shared by all blocks of a kind."""

    def __init__(self, masks: dict[str, torch.Tensor | BlockMask], descriptors: list[torch.Tensor] | None = None):
        if set(masks) != set(KINDS):
            raise ValueError(f"SpeedMasks needs exactly the kinds {KINDS}, got {sorted(masks)}")
        self.masks = masks
        self.descriptors = descriptors  # for the dense fallback of a flex call that fails at run time
        self._dense: dict[str, torch.Tensor] | None = None

    @classmethod
    def from_descriptors(cls, seg: torch.Tensor, inst: torch.Tensor, cover: torch.Tensor, valid: torch.Tensor,
                         device: torch.device | str, attention: str) -> "SpeedMasks":
        """int64 [N] descriptors of the whole sequence (text first, padding as PAD) -> masks on `device`."""
        d = [t.reshape(-1).to(device=device, dtype=torch.int64) for t in (seg, inst, cover, valid)]
        return cls(masks_from_descriptors(d, attention), d)

    def dense(self, kind: str) -> torch.Tensor:
        """The dense bool mask of a kind (built on first use, from the same descriptors)."""
        m = self.masks[kind]
        if not isinstance(m, BlockMask):
            return m
        if self._dense is None:
            if self.descriptors is None:
                raise ValueError("these SpeedMasks were built without descriptors: no dense fallback")
            self._dense = masks_from_descriptors(self.descriptors, "dense")
        return self._dense[kind]

    def get(self, kind: str) -> torch.Tensor | BlockMask:
        return self.masks[kind]

    def active_fraction(self, kind: str) -> float:
        """Share of (query, key) tiles computed: 1.0 for a dense mask (SDPA computes every tile)."""
        m = self.masks[kind]
        if isinstance(m, BlockMask):
            return float(m.to_dense().float().mean())
        return 1.0


class SpeedAttnProcessor(ContextGenAttnProcessor):
    """ContextGenAttnProcessor that also accepts SpeedMasks (dense or block-sparse)."""

    def __call__(self, attn, hidden_states: torch.Tensor, encoder_hidden_states: torch.Tensor | None = None,
                 attention_mask: torch.Tensor | None = None, image_rotary_emb: torch.Tensor | None = None,
                 contextgen_masks=None) -> torch.Tensor:
        if not isinstance(contextgen_masks, SpeedMasks):
            return super().__call__(attn, hidden_states, encoder_hidden_states, attention_mask, image_rotary_emb,
                                    contextgen_masks)
        if attention_mask is not None:
            raise ValueError("pass either attention_mask or contextgen_masks, not both")
        mask = contextgen_masks.get(self.kind)
        if isinstance(mask, BlockMask):
            if torch.compiler.is_compiling():
                return _flex_forward(attn, hidden_states, encoder_hidden_states, image_rotary_emb, mask)
            if FLEX_STATE["failed"] is None:
                try:
                    return _flex_forward(attn, hidden_states, encoder_hidden_states, image_rotary_emb, mask)
                except Exception as e:  # noqa: BLE001 - see flex_failed
                    if not flex_failed(e):
                        raise
            mask = contextgen_masks.dense(self.kind)
        # dense: diffusers' FluxAttnProcessor as it is
        return super(ContextGenAttnProcessor, self).__call__(attn, hidden_states, encoder_hidden_states, mask,
                                                             image_rotary_emb)


FLEX_STATE: dict[str, str | None] = {"failed": None}  # set once a flex call failed: the process stays on dense


def flex_failed(e: Exception) -> bool:
    """A flex call raised: True (recorded, logged; this and later calls use the dense masks) unless the error is
    one the worker must see (out of memory, a CUDA error that leaves the device unusable)."""
    if isinstance(e, torch.OutOfMemoryError) or "CUDA error" in str(e):
        return False
    FLEX_STATE["failed"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
    log.warning("block-sparse attention failed, using dense masks from now on: %s", FLEX_STATE["failed"])
    return True


def _flex_forward(attn, hidden_states, encoder_hidden_states, image_rotary_emb, block_mask: BlockMask):
    """diffusers 0.42 FluxAttnProcessor.__call__ with the attention call replaced by flex_attention
    (projections, norms, RoPE and output projections are diffusers' own functions)."""
    from diffusers.models.transformers.transformer_flux import _get_qkv_projections, apply_rotary_emb

    query, key, value, encoder_query, encoder_key, encoder_value = _get_qkv_projections(
        attn, hidden_states, encoder_hidden_states)
    query = attn.norm_q(query.unflatten(-1, (-1, attn.head_dim)))
    key = attn.norm_k(key.unflatten(-1, (-1, attn.head_dim)))
    value = value.unflatten(-1, (-1, attn.head_dim))
    if attn.added_kv_proj_dim is not None:
        encoder_query = attn.norm_added_q(encoder_query.unflatten(-1, (-1, attn.head_dim)))
        encoder_key = attn.norm_added_k(encoder_key.unflatten(-1, (-1, attn.head_dim)))
        encoder_value = encoder_value.unflatten(-1, (-1, attn.head_dim))
        query = torch.cat([encoder_query, query], dim=1)
        key = torch.cat([encoder_key, key], dim=1)
        value = torch.cat([encoder_value, value], dim=1)
    if image_rotary_emb is not None:
        query = apply_rotary_emb(query, image_rotary_emb, sequence_dim=1)
        key = apply_rotary_emb(key, image_rotary_emb, sequence_dim=1)
    q, k, v = (x.transpose(1, 2) for x in (query, key, value))  # [B, H, N, D]
    if torch.compiler.is_compiling():  # inside a compiled block: one graph with the flex kernel in it
        out = flex_attention(q.to(v.dtype), k.to(v.dtype), v, block_mask=block_mask)
    else:  # eager: flex_attention compiled once on CUDA, the reference implementation on CPU
        out = flex(q, k, v, block_mask)
    hidden_states = out.transpose(1, 2).flatten(2, 3).to(query.dtype)
    if encoder_hidden_states is not None:
        encoder_hidden_states, hidden_states = hidden_states.split_with_sizes(
            [encoder_hidden_states.shape[1], hidden_states.shape[1] - encoder_hidden_states.shape[1]], dim=1)
        hidden_states = attn.to_out[1](attn.to_out[0](hidden_states.contiguous()))
        encoder_hidden_states = attn.to_add_out(encoder_hidden_states.contiguous())
        return hidden_states, encoder_hidden_states
    return hidden_states


def install_speed_processors(transformer, kinds: list[str]) -> list[SpeedAttnProcessor]:
    """Like attention.install_processors, with SpeedAttnProcessor (takes MaskSet and SpeedMasks)."""
    names = block_names(transformer)
    if len(kinds) != len(names):
        raise ValueError(f"{len(kinds)} layer kinds for {len(names)} blocks")
    procs = [SpeedAttnProcessor(k, i) for i, k in enumerate(kinds)]
    transformer.set_attn_processor(dict(zip(names, procs)))
    return procs
