"""The worker's transformer (stock FluxTransformer2DModel + ContextGenAttnProcessor per block) against an
independent computation: stock blocks with stock FluxAttnProcessor, driven by hand, each block given an explicit
dense mask written from the DESIGN 4 table (dense_reference.py, not the descriptor rule). Tiny random model, fp32."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("diffusers")

from dense_reference import dense_masks, token_list  # noqa: E402
from flux_helpers import ensure_tiny_flux  # noqa: E402

from contextgen_flux.attention import MaskSet  # noqa: E402
from contextgen_flux.loader import load_model  # noqa: E402
from contextgen_flux.model_files import read_model_json  # noqa: E402
from contextgen_train.plan import RefGrid, box_cover, token_plan  # noqa: E402

# Official transformer_flux.py: double blocks CLA; single blocks index < n/2 ICA, the rest CLA (2 double, 4 single).
OFFICIAL_TINY_SCHEDULE = ["cla", "cla", "ica", "ica", "cla", "cla"]
P, TEXT = 16, 8
WIDTH, HEIGHT = 80, 48
BOXES = [[0, 0, 48, 40], [30, 8, 80, 48], [16, 16, 32, 32]]  # overlapping + nested
VALID = [np.array([[1, 1, 0], [0, 1, 1]], bool), np.array([[1, 0], [1, 1], [0, 1]], bool),
         np.array([[1]], bool)]


@pytest.fixture(scope="module")
def spec():
    return read_model_json(ensure_tiny_flux())


@pytest.fixture(scope="module")
def unfused(spec):
    return load_model(spec, profile="full", device="cpu", dtype="float32", fuse=False)


@pytest.fixture(scope="module")
def case():
    plan = token_plan(WIDTH, HEIGHT, P, TEXT, [0] * 3, BOXES, [RefGrid(v.shape[0], v.shape[1], v) for v in VALID])
    hm, wm = HEIGHT // P, WIDTH // P
    cells = [set(zip(*np.nonzero(box_cover(b, P, hm, wm)))) for b in BOXES]
    cla, ica = dense_masks(token_list(TEXT, [0] * 3, cells, hm, wm, VALID))
    g = torch.Generator().manual_seed(3)
    n_img = len(plan.seg) - TEXT
    inputs = dict(hidden_states=torch.randn(1, n_img, 16, generator=g),
                  encoder_hidden_states=torch.randn(1, TEXT, 32, generator=g),
                  pooled_projections=torch.randn(1, 32, generator=g), timestep=torch.tensor([0.6]),
                  guidance=torch.tensor([3.5]), txt_ids=torch.zeros(TEXT, 3),
                  img_ids=torch.from_numpy(plan.pos[TEXT:]).float())
    return plan, torch.from_numpy(cla), torch.from_numpy(ica), inputs


def worker_forward(model, plan, inputs, masks: MaskSet | None = None) -> torch.Tensor:
    if masks is None:
        masks = MaskSet.from_descriptors(*(torch.from_numpy(a) for a in (plan.seg, plan.inst, plan.cover,
                                                                            plan.valid)), "cpu")
    with torch.no_grad():
        return model.pipe.transformer(**inputs, joint_attention_kwargs={"contextgen_masks": masks},
                                      return_dict=False)[0]


def reference_forward(t, inputs, block_masks: list[torch.Tensor]) -> torch.Tensor:
    """FluxTransformer2DModel.forward written out, every block with stock FluxAttnProcessor and its own mask."""
    from diffusers.models.transformers.transformer_flux import FluxAttnProcessor

    saved = t.attn_processors
    t.set_attn_processor(FluxAttnProcessor())
    try:
        with torch.no_grad():
            hs = t.x_embedder(inputs["hidden_states"])
            temb = t.time_text_embed(inputs["timestep"] * 1000, inputs["guidance"] * 1000,
                                     inputs["pooled_projections"])
            ehs = t.context_embedder(inputs["encoder_hidden_states"])
            rot = t.pos_embed(torch.cat([inputs["txt_ids"], inputs["img_ids"]]))
            blocks = list(t.transformer_blocks) + list(t.single_transformer_blocks)
            assert len(blocks) == len(block_masks)
            for block, mask in zip(blocks, block_masks):
                ehs, hs = block(hidden_states=hs, encoder_hidden_states=ehs, temb=temb, image_rotary_emb=rot,
                                joint_attention_kwargs={"attention_mask": mask[None, None]})
            return t.proj_out(t.norm_out(hs, temb))
    finally:
        t.set_attn_processor(saved)


def test_descriptor_masks_equal_the_design_table(case):
    plan, cla, ica, _ = case
    m = MaskSet.from_descriptors(*(torch.from_numpy(a) for a in (plan.seg, plan.inst, plan.cover, plan.valid)),
                                 "cpu")
    assert torch.equal(m.for_kind("cla", 0)[0, 0], cla)
    assert torch.equal(m.for_kind("ica", 0)[0, 0], ica)
    assert not torch.equal(cla, ica)  # the case exercises ICA (boxes cover valid reference tokens)


def test_schedule_is_the_official_one(unfused):
    assert unfused.kinds == OFFICIAL_TINY_SCHEDULE
    assert [p.kind for p in unfused.processors] == OFFICIAL_TINY_SCHEDULE
    assert [p.block for p in unfused.processors] == list(range(6))


def test_each_block_attends_with_its_kind(unfused, case):
    plan, _, _, inputs = case
    masks = MaskSet.from_descriptors(*(torch.from_numpy(a) for a in (plan.seg, plan.inst, plan.cover, plan.valid)),
                                     "cpu")
    masks.used = []
    worker_forward(unfused, plan, inputs, masks)
    assert masks.used == list(enumerate(OFFICIAL_TINY_SCHEDULE))


def test_worker_transformer_equals_stock_attention_with_dense_masks(unfused, case, record_property):
    plan, cla, ica, inputs = case
    ours = worker_forward(unfused, plan, inputs)
    ref = reference_forward(unfused.pipe.transformer, inputs,
                            [cla if k == "cla" else ica for k in OFFICIAL_TINY_SCHEDULE])
    diff = (ours - ref).abs().max().item()
    record_property("parity_max_abs_diff", diff)
    print(f"parity max abs diff (worker vs stock attention + dense DESIGN masks): {diff:.3e}")
    assert diff <= 1e-5
    # The comparison can fail: the wrong schedule (all CLA) or no masks give a different output.
    wrong = reference_forward(unfused.pipe.transformer, inputs, [cla] * 6)
    assert (ours - wrong).abs().max().item() > 1e-4
    free = reference_forward(unfused.pipe.transformer, inputs, [torch.ones_like(cla)] * 6)
    assert (ours - free).abs().max().item() > 1e-4


def test_lora_changes_the_output_and_fusing_keeps_it(spec, unfused, case, record_property):
    plan, _, _, inputs = case
    with_lora = worker_forward(unfused, plan, inputs)
    unfused.pipe.disable_lora()
    try:
        without = worker_forward(unfused, plan, inputs)
    finally:
        unfused.pipe.enable_lora()
    change = (with_lora - without).abs().max().item()
    assert change > 1e-2, change
    fused = load_model(spec, profile="full", device="cpu", dtype="float32")
    assert fused.fused and not getattr(fused.pipe.transformer, "peft_config", None)
    diff = (worker_forward(fused, plan, inputs) - with_lora).abs().max().item()
    record_property("fused_max_abs_diff", diff)
    print(f"LoRA effect {change:.3e}; fused vs unfused max abs diff {diff:.3e}")
    assert diff <= 1e-4
