import numpy as np
import pytest
import torch

from contextgen_train.configs import get_config
from contextgen_train.data import StepBatches, collate, process
from contextgen_train.masks import MAIN, PAD, REF
from contextgen_train.patches import patchify, unpatchify
from contextgen_train.references import bilinear_resize, reference_tokens
from contextgen_train.shards import ShardReader, write_shards
from contextgen_train.tokenizer import BOS, WordTokenizer
from synth import VOCAB, raw_sample

CFG = get_config("tiny")


@pytest.fixture
def shards(tmp_path):
    samples = [raw_sample(i) for i in range(7)]
    write_shards(tmp_path, samples, 32, 16, VOCAB, per_shard=3)
    return tmp_path, samples


def test_shard_round_trip(shards):
    folder, samples = shards
    r = ShardReader(folder)
    assert len(r) == 7 and len(r.meta["shards"]) == 3
    for i in (0, 4, 6):
        got = r[i]
        assert got.header == samples[i].header
        assert np.array_equal(got.target, samples[i].target) and np.array_equal(got.layout, samples[i].layout)
        assert all(np.array_equal(a, b) for a, b in zip(got.refs, samples[i].refs))


def test_reader_names_missing_meta(tmp_path):
    with pytest.raises(FileNotFoundError, match="meta.json"):
        ShardReader(tmp_path)


def test_patchify_layout_and_inverse():
    img = np.arange(16 * 8 * 3, dtype=np.float32).reshape(16, 8, 3)
    p = patchify(img, 8)
    assert p.shape == (2, 192)
    assert p[1, (3 * 8 + 5) * 3 + 2] == img[8 + 3, 5, 2]  # token (1, 0), pixel (py 3, px 5), channel 2
    assert np.array_equal(unpatchify(torch.from_numpy(p), 2, 1, 8).numpy(), img)


def test_reference_tokens_crop_mask_and_valid():
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[10:20, 5:35, :3] = 200
    rgba[10:20, 5:35, 3] = 255  # a 10 x 30 cutout
    rgba[10:20, 5:12, 3] = 0  # left part transparent -> crop starts at x 12
    ref = reference_tokens(rgba, 8, 256, 32)
    assert ref is not None
    assert ref.grid.h * 8 * ref.grid.w * 8 <= 2 * 256 and ref.grid.w > ref.grid.h
    assert ref.grid.valid.all()
    assert np.allclose(ref.patches, 200 / 127.5 - 1)
    assert reference_tokens(np.zeros((8, 8, 4), np.uint8), 8, 256, 32) is None


def test_bilinear_resize_is_torch_bilinear():
    img = np.random.default_rng(0).random((13, 9, 4)) * 255
    for out_h, out_w in ((24, 16), (5, 40), (13, 9)):
        want = torch.nn.functional.interpolate(torch.from_numpy(img).permute(2, 0, 1)[None], size=(out_h, out_w),
                                               mode="bilinear", align_corners=False)[0].permute(1, 2, 0).numpy()
        got = bilinear_resize(img, out_h, out_w)
        assert got.shape == (out_h, out_w, 4) and np.abs(got - want).max() < 1e-9


def test_collate_pads_and_matches_descriptors(shards):
    folder, _ = shards
    r, tok = ShardReader(folder), WordTokenizer.build(VOCAB)
    exs = [process(r[i], CFG, tok) for i in range(3)]
    b = collate(exs, CFG, drop=[False, True, False])
    B, N = b.seg.shape
    n_txt = b.txt_index.shape[1]
    assert b.img.shape[:2] == (3, N - n_txt) and b.n_main == 16
    assert (b.seg[:, n_txt:n_txt + 16] == MAIN).all()
    assert torch.equal(b.x0[0], torch.from_numpy(exs[0].target))
    assert b.prompt_ids[1].tolist()[:2] == [BOS, 0] or b.prompt_ids.shape[1] == 1  # dropped prompt
    assert not (b.seg[1] == 1).any(), "dropped sample keeps no phrase tokens"
    assert (b.seg[1] == REF).any(), "dropped sample keeps its references"
    pad = b.seg == PAD
    assert (b.valid[pad] == 0).all() and (b.inst[pad] == -1).all()
    zero_row = b.prompt_ids.numel() + b.phrase_ids.numel()
    assert (b.txt_index[pad[:, :n_txt]] == zero_row).all()
    b16 = collate(exs, CFG, drop=[False, True, False], pad_multiple=16)
    assert b16.seg.shape[1] % 16 == 0 and b16.seg.shape[1] - N < 16
    assert torch.equal(b16.seg[:, :N], b.seg) and (b16.seg[:, N:] == PAD).all()


def test_step_batches_are_a_function_of_step(shards):
    folder, _ = shards
    r, tok = ShardReader(folder), WordTokenizer.build(VOCAB)
    sb = StepBatches(r, CFG, tok, batch_size=4, seed=3, cond_dropout=0.5)
    assert sb.indices(0) + sb.indices(1)[:3] == list(np.random.default_rng([3, 0]).permutation(7))
    a, b = sb[5], StepBatches(r, CFG, tok, batch_size=4, seed=3, cond_dropout=0.5)[5]
    assert torch.equal(a.img, b.img) and torch.equal(a.seg, b.seg)
