"""Block-sparse attention of the worker (flex_mask.py, compile_blocks.pad_sequence) against the dense rule and the
dense-mask transformer: tiny random FLUX model, fp32, CPU (flex_attention runs eagerly there)."""

from __future__ import annotations

import pytest
import torch

pytest.importorskip("diffusers")

from flux_helpers import ensure_tiny_flux  # noqa: E402
from torch.nn.attention.flex_attention import BlockMask, create_mask  # noqa: E402

from speed_cases import TEXT, descriptors, forward, make_case  # noqa: E402

from contextgen_flux.attention import MaskSet  # noqa: E402
from contextgen_flux.compile_blocks import bucket_length, pad_sequence  # noqa: E402
from contextgen_flux.flex_mask import SpeedAttnProcessor, SpeedMasks, resolve_attention  # noqa: E402
from contextgen_flux.loader import load_model  # noqa: E402
from contextgen_flux.model_files import read_model_json  # noqa: E402
from contextgen_flux.speed import SpeedOptions, apply_speed  # noqa: E402
from contextgen_train.flex import block_masks  # noqa: E402
from contextgen_train.masks import PAD, attention_masks  # noqa: E402

BLOCK = 128


@pytest.fixture(scope="module")
def model():
    m = load_model(read_model_json(ensure_tiny_flux()), profile="full", device="cpu", dtype="float32")
    apply_speed(m, SpeedOptions(attention="flex"))
    assert all(isinstance(p, SpeedAttnProcessor) for p in m.processors)
    assert m.speed.attention == "flex", m.speed.reason
    return m


def test_pad_sequence_appends_pad_tokens_to_a_bucket():
    plan, inputs = make_case(1)
    n = len(plan.seg)
    ctx, ids, d = pad_sequence(inputs["ctx"], inputs["img_ids"], descriptors(plan), plan.n_main, 256)
    assert bucket_length(n, 256) == 512 > n and d[0].shape == (512,)
    assert ctx.shape[1] == inputs["ctx"].shape[1] + 512 - n and ids.shape[0] == 512 - TEXT
    assert (d[0][n:] == PAD).all() and (d[1][n:] == -1).all() and (d[2][n:] == 0).all() and (d[3][n:] == 0).all()
    assert torch.equal(d[0][:n], descriptors(plan)[0])
    same = pad_sequence(inputs["ctx"], inputs["img_ids"], descriptors(plan), plan.n_main, 0)
    assert same[0] is inputs["ctx"]
    with pytest.raises(ValueError, match="bucket must be >= 0"):
        bucket_length(5, -1)


@pytest.mark.parametrize("bucket", [0, 256])
def test_block_mask_equals_the_dense_rule(bucket):
    plan, inputs = make_case(2)
    _, _, d = pad_sequence(inputs["ctx"], inputs["img_ids"], descriptors(plan), plan.n_main, bucket)
    n = d[0].shape[0]
    flex = SpeedMasks.from_descriptors(*d, "cpu", "flex")
    dense = SpeedMasks.from_descriptors(*d, "cpu", "dense")
    rule = dict(zip(("cla", "ica"), attention_masks(*(t[None] for t in d))))
    nb, skipped, fulls = -(-n // BLOCK), 0, 0
    for kind in ("cla", "ica"):
        bm = flex.get(kind)
        assert isinstance(bm, BlockMask) and bm.BLOCK_SIZE == (BLOCK, BLOCK)
        assert torch.equal(dense.get(kind)[0, 0], rule[kind][0])
        # element-wise: the block mask's mask_mod evaluated everywhere is the dense rule
        assert torch.equal(create_mask(bm.mask_mod, 1, None, n, n, device="cpu")[0, 0], rule[kind][0])
        # block level: a tile is visited iff some (q, k) of it is allowed
        padded = torch.zeros(nb * BLOCK, nb * BLOCK, dtype=torch.bool)
        padded[:n, :n] = rule[kind][0]
        any_read = padded.unflatten(0, (nb, BLOCK)).unflatten(2, (nb, BLOCK)).any(3).any(1)
        assert torch.equal(bm.to_dense()[0, 0].bool(), any_read), kind
        # the same BlockMask torch's create_block_mask builds (partial and full tiles, both orders)
        ref = block_masks(*(t[None] for t in d), {kind}, block=BLOCK)[kind]
        for field in ("kv_num_blocks", "kv_indices", "full_kv_num_blocks", "full_kv_indices", "q_num_blocks",
                      "q_indices", "full_q_num_blocks", "full_q_indices"):
            assert torch.equal(getattr(bm, field), getattr(ref, field)), (kind, field)
        assert bm.seq_lengths == ref.seq_lengths == (n, n)
        fulls += int(bm.full_kv_num_blocks.sum())
        skipped += int((~any_read).sum())
        if bucket:  # padding: real tokens never read a pad key; pad queries read only pad keys
            real = d[0] != PAD
            assert real.sum() < n
            assert not rule[kind][0][real][:, ~real].any() and not rule[kind][0][~real][:, real].any()
        assert flex.active_fraction(kind) < 1.0 and dense.active_fraction(kind) == 1.0
    assert skipped > 0, "the case must leave some 128 x 128 tiles empty"
    assert fulls > 0, "the case must have tiles every (q, k) of which is allowed"
    assert not torch.equal(rule["cla"], rule["ica"])


def test_flex_transformer_equals_the_dense_mask_path(model, record_property):
    plan, inputs = make_case(3)
    ref = forward(model, plan, inputs, None)  # MaskSet: the worker's dense SDPA path
    dense = forward(model, plan, inputs, "dense")
    flex = forward(model, plan, inputs, "flex")
    padded = forward(model, plan, inputs, "flex", bucket=512)
    d_dense = (dense - ref).abs().max().item()
    d_flex = (flex - ref).abs().max().item()
    d_pad = (padded - ref).abs().max().item()
    for name, v in (("speed_dense_max_abs_diff", d_dense), ("flex_max_abs_diff", d_flex),
                    ("flex_bucket_max_abs_diff", d_pad)):
        record_property(name, v)
    print(f"fp32 max abs diff vs dense MaskSet path: dense SpeedMasks {d_dense:.3e}, flex {d_flex:.3e}, "
          f"flex + bucket 512 padding {d_pad:.3e} (output scale {ref.abs().max().item():.3f})")
    assert ref.abs().max() > 0.1
    assert d_dense <= 1e-6 and d_flex <= 1e-5 and d_pad <= 1e-5
    # the comparison can fail: no masks at all give another output
    t = model.pipe.transformer
    kw = {k: v for k, v in inputs.items() if k not in ("hidden_states", "ctx")}
    free = SpeedMasks({k: torch.ones_like(MaskSet.from_descriptors(*descriptors(plan), "cpu").for_kind(k, 0))
                       for k in ("cla", "ica")})
    with torch.no_grad():
        out = t(hidden_states=torch.cat([inputs["hidden_states"], inputs["ctx"]], 1),
                joint_attention_kwargs={"contextgen_masks": free}, return_dict=False, **kw)[0]
    assert (out[:, :ref.shape[1]] - ref).abs().max().item() > 1e-4


@pytest.mark.parametrize("rows", [128, 256, 4096])
def test_chunked_masks_do_not_depend_on_the_chunk(rows):
    from contextgen_flux.flex_mask import masks_from_descriptors

    plan, inputs = make_case(6, width=320, height=224)
    d = [t.to(torch.int64) for t in descriptors(plan)]
    rule = dict(zip(("cla", "ica"), attention_masks(*(t[None] for t in d))))
    dense = masks_from_descriptors(d, "dense", rows=rows)
    flex = masks_from_descriptors(d, "flex", rows=rows)
    ref = masks_from_descriptors(d, "flex", rows=len(d[0]) + BLOCK)
    for k in ("cla", "ica"):
        assert torch.equal(dense[k][0, 0], rule[k][0])
        assert torch.equal(flex[k].kv_indices, ref[k].kv_indices)
        assert torch.equal(flex[k].full_kv_indices, ref[k].full_kv_indices)


def test_attention_choice_and_fallback(monkeypatch):
    assert resolve_attention("auto", torch.device("cpu"))[0] == "dense"
    assert resolve_attention("dense", torch.device("cpu"))[0] == "dense"
    assert resolve_attention("flex", torch.device("cpu"))[0] == "flex"
    import contextgen_flux.flex_mask as fm

    def broken(*a, **k):
        raise RuntimeError("no flex kernel for this device")

    monkeypatch.setattr(fm, "flex", broken)
    used, reason = resolve_attention("flex", torch.device("cpu"))
    assert used == "dense" and "no flex kernel" in reason
    with pytest.raises(ValueError, match="auto, dense, flex"):
        resolve_attention("sparse", torch.device("cpu"))


def test_flex_equals_dense_in_bfloat16(record_property):
    """The dtype the GPU runs: same model in bf16, flex vs the dense MaskSet path (both round differently)."""
    m = load_model(read_model_json(ensure_tiny_flux()), profile="full", device="cpu", dtype="bfloat16")
    apply_speed(m, SpeedOptions(attention="flex"))
    plan, inputs = make_case(3)
    inputs = {k: v.to(torch.bfloat16) if v.is_floating_point() and k not in ("txt_ids", "img_ids", "guidance")
              else v for k, v in inputs.items()}
    ref = forward(m, plan, inputs, None).float()
    flex = forward(m, plan, inputs, "flex", bucket=512).float()
    diff = (flex - ref).abs().max().item()
    record_property("flex_bf16_max_abs_diff", diff)
    print(f"bf16 max abs diff flex (+ bucket 512) vs dense MaskSet path: {diff:.3e} "
          f"(output scale {ref.abs().max().item():.3f})")
    assert diff <= 0.02 * ref.abs().max().item()


def test_a_flex_call_failing_at_run_time_falls_back_to_dense(model, monkeypatch, caplog):
    import contextgen_flux.flex_mask as fm

    plan, inputs = make_case(3)
    ref = forward(model, plan, inputs, None)

    def broken(*a, **k):
        raise NotImplementedError("no flex kernel for this head size")

    monkeypatch.setattr(fm, "_flex_forward", broken)
    monkeypatch.setitem(fm.FLEX_STATE, "failed", None)
    with caplog.at_level("WARNING", logger="contextgen_flux"):
        got = forward(model, plan, inputs, "flex", bucket=512)
    assert "no flex kernel" in fm.FLEX_STATE["failed"] and "using dense masks" in caplog.text
    assert (got - ref).abs().max().item() <= 1e-6

    def oom(*a, **k):
        raise torch.OutOfMemoryError("CUDA out of memory")

    monkeypatch.setattr(fm, "_flex_forward", oom)
    monkeypatch.setitem(fm.FLEX_STATE, "failed", None)
    with pytest.raises(torch.OutOfMemoryError):  # the worker reports oom; no silent switch
        forward(model, plan, inputs, "flex")
    assert fm.FLEX_STATE["failed"] is None
