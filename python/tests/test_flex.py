"""The optional FlexAttention path: same CONTRACTS 1 rule as masks.py, same model output as SDPA."""

import pytest
import torch
from torch.nn.attention.flex_attention import create_mask

from contextgen_train.configs import get_config
from contextgen_train.data import StepBatches
from contextgen_train.dummy import DENOISER_INPUTS, dummy_inputs
from contextgen_train.flex import block_masks, check_attention, mask_mods
from contextgen_train.masks import PAD, attention_masks
from contextgen_train.model import ContextGenDiT, init_weights, sdpa_model
from contextgen_train.shards import ShardReader, write_shards
from contextgen_train.tokenizer import WordTokenizer
from contextgen_train.train import Net
from synth import VOCAB, raw_sample

CFG = get_config("tiny")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A collated batch of tiny shards: different instance counts and pad_multiple=16 give PAD tokens."""
    folder = tmp_path_factory.mktemp("shards")
    write_shards(folder, [raw_sample(i) for i in range(6)], 32, 16, VOCAB)
    r = ShardReader(folder)
    tok = WordTokenizer.build(r.meta["vocab"])
    b = StepBatches(r, CFG, tok, batch_size=4, seed=0, cond_dropout=0.0, pad_multiple=16)[0]
    assert (b.seg == PAD).any(), "the test batch must hold PAD tokens"
    return b, len(tok)


def descriptor_cases(batch):
    b, _ = batch
    ex = dummy_inputs(CFG, batch=2, instances=3, size=64, seed=5)  # N > 16: many blocks of 16
    return [(b.seg, b.inst, b.cover, b.valid), (ex["seg"], ex["inst"], ex["cover"], ex["valid"])]


def test_mask_mod_densely_equals_attention_masks(batch):
    for seg, inst, cover, valid in descriptor_cases(batch):
        B, N = seg.shape
        cla, ica = attention_masks(seg, inst, cover, valid)  # [B, N, N]
        for block in (16, 128):
            mods = mask_mods(seg, inst, cover, valid, block)
            assert torch.equal(create_mask(mods["cla"], B, None, N, N, device="cpu")[:, 0], cla)
            assert torch.equal(create_mask(mods["ica"], B, None, N, N, device="cpu")[:, 0], ica)
        assert not torch.equal(cla, ica), "the case must tell CLA and ICA apart"


def test_block_mask_skips_exactly_the_fully_masked_blocks(batch):
    blk, skipped = 16, 0
    for seg, inst, cover, valid in descriptor_cases(batch):
        B, N = seg.shape
        nb = -(-N // blk)
        dense = dict(zip(("cla", "ica"), attention_masks(seg, inst, cover, valid)))  # [B, N, N]
        bms = block_masks(seg, inst, cover, valid, {"cla", "ica"}, block=blk)
        for kind, m in dense.items():
            padded = torch.zeros(B, nb * blk, nb * blk, dtype=torch.bool)
            padded[:, :N, :N] = m
            any_read = padded.unflatten(1, (nb, blk)).unflatten(3, (nb, blk)).any(4).any(2)  # [B, nb, nb]
            got = bms[kind].to_dense()[:, 0].bool()  # [B, nb, nb] blocks visited
            assert torch.equal(got, any_read), kind
            skipped += int((~any_read).sum())
    assert skipped > 0, "some blocks must be skipped (block-sparse)"


def test_flex_model_output_equals_sdpa_with_pad_tokens(batch):
    b, vocab = batch
    torch.manual_seed(0)
    net = Net(CFG, vocab)
    init_weights(net.denoiser, zero_gates=False)
    flex = Net(CFG, vocab, attention="flex")
    flex.load_state_dict(net.state_dict())
    g = torch.Generator().manual_seed(1)
    img = torch.randn(b.img.shape, generator=g)
    t = torch.rand(b.img.shape[0], generator=g)
    with torch.no_grad():
        ref, got = net(b, img, t), flex(b, img, t)
    assert ref.abs().max() > 0.1, "outputs must depend on the inputs"
    torch.testing.assert_close(got, ref, atol=1e-5, rtol=0)


def test_flex_denoiser_matches_sdpa_on_dummy_inputs_and_exports_as_sdpa():
    torch.manual_seed(1)
    model = ContextGenDiT(CFG, attention="flex")
    init_weights(model, zero_gates=False)
    ex = dummy_inputs(CFG, batch=2, instances=3, size=64, seed=2)
    args = tuple(ex[k] for k in DENOISER_INPUTS)
    plain = sdpa_model(model)
    assert plain is not model and plain.attention == "sdpa" and model.attention == "flex"
    with torch.no_grad():
        torch.testing.assert_close(model(*args), plain(*args), atol=1e-5, rtol=0)


def test_unknown_attention_names_the_choices():
    with pytest.raises(ValueError, match="sdpa, flex"):
        check_attention("fused")
    with pytest.raises(ValueError, match="attention='fused'"):
        ContextGenDiT(CFG, attention="fused")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="FlexAttention has no backward on CPU in this torch")
def test_flex_training_step_matches_sdpa(batch):
    """Forward and backward on CUDA: one fp32 SFT step from the same seed gives the same loss and weights."""
    from contextgen_train.configs import TrainConfig
    from contextgen_train.train import Trainer

    b, vocab = batch
    tc = TrainConfig(batch_size=4, lr=1e-3, warmup_steps=1, seed=0)
    a, f = Trainer(CFG, tc, vocab, "cuda"), Trainer(CFG, tc, vocab, "cuda", attention="flex")
    init_weights(a.net.denoiser, zero_gates=False)
    f.net.load_state_dict(a.net.state_dict())
    la, lf = a.train_step(b)["loss"], f.train_step(b)["loss"]
    assert abs(la - lf) <= 1e-4 * max(1.0, abs(la)), (la, lf)


def test_flex_training_on_cpu_says_what_to_use(tmp_path):
    from contextgen_train import gpu_run

    data = tmp_path / "data"
    write_shards(data, [raw_sample(i) for i in range(2)], 32, 16, VOCAB)
    with pytest.raises(ValueError, match="--attention sdpa"):
        gpu_run.main(["--out", str(tmp_path / "m"), "--data", str(data), "--config", "tiny", "--max-steps", "1",
                      "--minutes", "5", "--device", "cpu", "--attention", "flex"])
