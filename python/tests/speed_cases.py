"""Shared cases of the speed tests: a tiny-model request (plan with invalid reference cells, random inputs) and
the transformer forward through the plain MaskSet path or the SpeedMasks path (optionally bucket-padded)."""

from __future__ import annotations

import numpy as np
import torch

from contextgen_flux.attention import MaskSet
from contextgen_flux.compile_blocks import pad_sequence
from contextgen_flux.flex_mask import SpeedMasks
from contextgen_train.plan import RefGrid, token_plan

P, TEXT = 16, 8
WIDTH, HEIGHT = 224, 160  # 14 x 10 main tokens
BOXES = [[0, 0, 112, 96], [80, 32, 224, 160], [48, 48, 96, 96]]  # overlapping + nested


def make_case(seed: int, boxes=BOXES, width=WIDTH, height=HEIGHT):
    """A plan with invalid reference cells, and transformer inputs for it (main latents + zero context)."""
    rng = np.random.default_rng(seed)
    grids = []
    for x1, y1, x2, y2 in boxes:
        h, w = max(1, int(y2 - y1) // P), max(1, int(x2 - x1) // P)
        grids.append(RefGrid(h, w, rng.random((h, w)) < 0.7))
    plan = token_plan(width, height, P, TEXT, [0] * len(boxes), boxes, grids)
    g = torch.Generator().manual_seed(seed)
    n_main = plan.n_main
    n_img = len(plan.seg) - TEXT
    inputs = dict(hidden_states=torch.randn(1, n_main, 16, generator=g),
                  ctx=torch.randn(1, n_img - n_main, 16, generator=g),
                  encoder_hidden_states=torch.randn(1, TEXT, 32, generator=g),
                  pooled_projections=torch.randn(1, 32, generator=g), timestep=torch.tensor([0.6]),
                  guidance=torch.tensor([3.5]), txt_ids=torch.zeros(TEXT, 3),
                  img_ids=torch.from_numpy(plan.pos[TEXT:]).float())
    return plan, inputs


def descriptors(plan) -> list[torch.Tensor]:
    return [torch.from_numpy(a) for a in (plan.seg, plan.inst, plan.cover, plan.valid)]


def forward(model, plan, inputs, attention: str | None, bucket: int = 0) -> torch.Tensor:
    """Main-token output of the transformer; attention None = the worker's plain MaskSet path."""
    ctx, img_ids, d = inputs["ctx"], inputs["img_ids"], descriptors(plan)
    if attention is None:
        masks = MaskSet.from_descriptors(*d, "cpu")
    else:
        ctx, img_ids, d = pad_sequence(ctx, img_ids, d, plan.n_main, bucket)
        masks = SpeedMasks.from_descriptors(*d, "cpu", attention)
    hs = inputs["hidden_states"]
    kw = {k: v for k, v in inputs.items() if k not in ("hidden_states", "ctx", "img_ids")}
    with torch.no_grad():
        out = model.pipe.transformer(hidden_states=torch.cat([hs, ctx], dim=1), img_ids=img_ids,
                                     joint_attention_kwargs={"contextgen_masks": masks}, return_dict=False, **kw)[0]
    return out[:, :hs.shape[1]]
