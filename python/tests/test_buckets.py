"""Buckets: cheap per-sample lengths equal what collate builds, static shapes per bucket, length-grouped
batches that cover the same samples with less padding, and a bucketed batch that trains like the unpadded one."""

import numpy as np
import pytest
import torch

from contextgen_train.buckets import Buckets, dataset_lengths, fit_buckets, padding_fraction, sample_lengths
from contextgen_train.configs import TrainConfig, get_config
from contextgen_train.data import StepBatches, collate, process
from contextgen_train.masks import PAD
from contextgen_train.shards import ShardReader, write_shards
from contextgen_train.tokenizer import WordTokenizer
from contextgen_train.train import Trainer
from synth import VOCAB, raw_sample

CFG = get_config("tiny")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    write_shards(folder, [raw_sample(i, max_inst=4) for i in range(48)], 32, 16, VOCAB)
    r = ShardReader(folder)
    tok = WordTokenizer.build(r.meta["vocab"])
    return r, tok, dataset_lengths(r, CFG, tok, cache=folder)


def test_sample_lengths_match_collate(data):
    r, tok, lengths = data
    for i in range(len(r)):
        b = collate([process(r[i], CFG, tok)], CFG, [False])
        assert tuple(lengths[i]) == (b.txt_index.shape[1], b.img.shape[1]) == sample_lengths(r[i], CFG, tok)
    assert len(list(r.folder.glob("lengths-tiny-*.npy"))) == 1  # cached
    assert np.array_equal(dataset_lengths(r, CFG, tok, cache=r.folder), lengths)


def test_fit_buckets_covers_every_sample_and_rounds_up(data):
    _, _, lengths = data
    b = fit_buckets(lengths, k_txt=2, k_img=3, multiple=16)
    assert all(e % 16 == 0 for e in b.txt + b.img) and b.shapes <= 6
    assert b.txt[-1] >= lengths[:, 0].max() and b.img[-1] >= lengths[:, 1].max()
    assert b.fit(1, 1) == (b.txt[0], b.img[0])
    with pytest.raises(ValueError, match="beyond the largest bucket"):
        b.fit(b.txt[-1] + 1, 1)


def test_bucketed_batches_have_static_shapes(data):
    r, tok, lengths = data
    buckets = Buckets((32,), (48, 64))
    sb = StepBatches(r, CFG, tok, 4, seed=0, cond_dropout=0.5, buckets=buckets)
    shapes = {}
    for s in range(12):
        b = sb[s]
        shape = tuple((k, tuple(getattr(b, k).shape)) for k in ("prompt_ids", "phrase_ids", "txt_index", "img", "pos"))
        shapes.setdefault(b.img.shape[1], set()).add(shape)
        assert torch.isfinite(b.img).all()
        assert (b.phrase_ids[:, 0] != 0).all()  # no all-pad phrase row (NaN attention)
    assert all(len(v) == 1 for v in shapes.values())  # one shape per bucket whatever the dropout and phrases


def test_grouping_keeps_the_samples_and_cuts_padding(data):
    r, tok, lengths = data
    plain = StepBatches(r, CFG, tok, 4, seed=3, cond_dropout=0.0)
    grouped = StepBatches(r, CFG, tok, 4, seed=3, cond_dropout=0.0, lengths=lengths, group=6)
    for w in range(2):
        steps = range(6 * w, 6 * w + 6)
        assert sorted(i for s in steps for i in plain.indices(s)) == sorted(i for s in steps for i in grouped.indices(s))

    def pad(sb):
        fr = []
        for s in range(12):
            real = lengths[sb.indices(s)]
            fr.append(padding_fraction(real, tuple(real.max(0))))
        return float(np.mean(fr))

    assert pad(grouped) < pad(plain)
    assert grouped.indices(7) == StepBatches(r, CFG, tok, 4, seed=3, cond_dropout=0.0, lengths=lengths,
                                             group=6).indices(7)  # depends on (seed, step) only
    with pytest.raises(ValueError, match="needs lengths"):
        StepBatches(r, CFG, tok, 4, seed=3, cond_dropout=0.0, group=6)


def test_padding_to_a_bucket_does_not_change_the_loss(data):
    """PAD tokens only see PAD tokens (CONTRACTS 1): the same samples, padded further, give the same loss."""
    r, tok, _ = data
    exs = [process(r[i], CFG, tok) for i in range(3)]
    tight = collate(exs, CFG, [False, True, False])
    padded = collate(exs, CFG, [False, True, False], buckets=Buckets((48,), (96,)))
    assert (padded.seg[:, -5:] == PAD).all()
    losses = []
    for b in (tight, padded):
        tr = Trainer(CFG, TrainConfig(batch_size=3, seed=0), len(tok))
        torch.nn.init.normal_(tr.net.denoiser.final_layer.linear.weight, std=0.02)
        losses.append(tr.train_step(b)["loss"])
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)
