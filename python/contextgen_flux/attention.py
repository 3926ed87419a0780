"""Per-block CLA / ICA masks without patching the transformer (PUBLISHED-MODEL.md "Injecting masks").

Stock `FluxTransformer2DModel.forward` hands `joint_attention_kwargs` to every block's attention, which passes the
keys its processor's `__call__` names. `ContextGenAttnProcessor` (a `FluxAttnProcessor` subclass) takes
`contextgen_masks`, a `MaskSet`, and attends with the mask of its own block kind. Everything else is diffusers'
code: projections, RMS norms, RoPE, output projections.

Swapping the attention implementation per kind of mask (the block-sparse FlexAttention path of the speed issue):
`flex_mask.py` (`SpeedMasks`, `SpeedAttnProcessor`, installed by `speed.apply_speed`) holds a dense mask or a
FlexAttention `BlockMask` per kind, built from the same rule; `transformer_flux` and the protocol stay as they are.
"""

from __future__ import annotations

import torch
from diffusers.models.transformers.transformer_flux import FluxAttnProcessor

from contextgen_train.masks import attention_masks

KINDS = ("cla", "ica")


class MaskSet:
    """The attention masks of one job by kind, built once and reused every step and block."""

    def __init__(self, masks: dict[str, torch.Tensor]) -> None:
        if set(masks) != set(KINDS):
            raise ValueError(f"a MaskSet needs exactly the kinds {KINDS}, got {sorted(masks)}")
        self._masks = masks
        self.used: list[tuple[int, str]] | None = None  # set to [] to record (block index, kind) per call

    @classmethod
    def from_descriptors(cls, seg: torch.Tensor, inst: torch.Tensor, cover: torch.Tensor, valid: torch.Tensor,
                         device: torch.device | str) -> "MaskSet":
        """int64 [N] descriptors (CONTRACTS 1) -> dense bool [1, 1, N, N] masks on `device` (the one Python rule,
        contextgen_train.masks)."""
        cla, ica = attention_masks(*(t.reshape(1, -1).to(torch.int64) for t in (seg, inst, cover, valid)))
        return cls({"cla": cla[:, None].to(device), "ica": ica[:, None].to(device)})

    def for_kind(self, kind: str, block: int) -> torch.Tensor:
        if self.used is not None:
            self.used.append((block, kind))
        return self._masks[kind]


class ContextGenAttnProcessor(FluxAttnProcessor):
    """diffusers' FluxAttnProcessor with the mask of one kind ("cla" or "ica") for one block."""

    def __init__(self, kind: str, block: int) -> None:
        if kind not in KINDS:
            raise ValueError(f"mask kind must be one of {KINDS}, got {kind!r}")
        super().__init__()
        self.kind = kind
        self.block = block

    def __call__(self, attn, hidden_states: torch.Tensor, encoder_hidden_states: torch.Tensor | None = None,
                 attention_mask: torch.Tensor | None = None, image_rotary_emb: torch.Tensor | None = None,
                 contextgen_masks: MaskSet | None = None) -> torch.Tensor:
        if contextgen_masks is not None:
            if attention_mask is not None:
                raise ValueError("pass either attention_mask or contextgen_masks, not both")
            attention_mask = contextgen_masks.for_kind(self.kind, self.block)
        return super().__call__(attn, hidden_states, encoder_hidden_states, attention_mask, image_rotary_emb)


def block_names(transformer) -> list[str]:
    """Processor names in forward order: double blocks, then single blocks."""
    return ([f"transformer_blocks.{i}.attn.processor" for i in range(len(transformer.transformer_blocks))]
            + [f"single_transformer_blocks.{i}.attn.processor"
               for i in range(len(transformer.single_transformer_blocks))])


def install_processors(transformer, kinds: list[str]) -> list[ContextGenAttnProcessor]:
    """Give block i (double blocks first) a ContextGenAttnProcessor of kinds[i]; returns them in block order."""
    names = block_names(transformer)
    if len(kinds) != len(names):
        raise ValueError(f"{len(kinds)} layer kinds for {len(names)} blocks")
    procs = [ContextGenAttnProcessor(k, i) for i, k in enumerate(kinds)]
    current = transformer.attn_processors
    if set(current) != set(names):
        raise ValueError(f"unexpected attention processors: {sorted(set(current) ^ set(names))}")
    transformer.set_attn_processor(dict(zip(names, procs)))
    return procs
