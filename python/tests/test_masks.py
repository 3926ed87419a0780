import numpy as np
import pytest
import torch

from contextgen_train.masks import PAD, attention_masks
from contextgen_train.plan import RefGrid, box_cover, token_plan
from dense_reference import dense_masks, token_list


def random_case(seed: int):
    rng = np.random.default_rng(seed)
    P, W, H = 8, 8 * int(rng.integers(2, 6)), 8 * int(rng.integers(2, 6))
    k = int(rng.integers(0, 5))
    boxes, grids, phrases = [], [], []
    for _ in range(k):
        x1, y1 = float(rng.uniform(0, W - 4)), float(rng.uniform(0, H - 4))
        boxes.append((x1, y1, float(rng.uniform(x1 + 1, W)), float(rng.uniform(y1 + 1, H))))
        grids.append(None if rng.random() < 0.25 else RefGrid(int(rng.integers(1, 4)), int(rng.integers(1, 4)),
                                                              rng.random((3, 3)) > 0.3))
        phrases.append(int(rng.integers(0, 3)))
    grids = [None if g is None else RefGrid(g.h, g.w, g.valid[: g.h, : g.w]) for g in grids]
    return P, W, H, int(rng.integers(1, 4)), phrases, boxes, grids


@pytest.mark.parametrize("seed", range(12))
def test_descriptor_rule_matches_dense_reference(seed):
    P, W, H, text, phrases, boxes, grids = random_case(seed)
    plan = token_plan(W, H, P, text, phrases, boxes, grids)
    hm, wm = H // P, W // P
    cells = [{(y, x) for y in range(hm) for x in range(wm) if box_cover(b, P, hm, wm)[y, x]} for b in boxes]
    toks = token_list(text, phrases, cells, hm, wm, [None if g is None else g.valid for g in grids])
    cla_ref, ica_ref = dense_masks(toks)
    t = lambda a: torch.from_numpy(a)[None]  # noqa: E731
    cla, ica = attention_masks(t(plan.seg), t(plan.inst), t(plan.cover), t(plan.valid))
    assert np.array_equal(cla[0].numpy(), cla_ref)
    assert np.array_equal(ica[0].numpy(), ica_ref)
    assert ica[0].any(1).all(), "every row must read at least one key"


def test_padding_reads_only_padding_and_is_read_by_no_real_token():
    P, W, H, text, phrases, boxes, grids = random_case(3)
    plan = token_plan(W, H, P, text, phrases, boxes, grids)
    pad = lambda a, v: torch.cat((torch.from_numpy(a), torch.full((3,), v)))[None]  # noqa: E731
    cla, ica = attention_masks(pad(plan.seg, PAD), pad(plan.inst, -1), pad(plan.cover, 0), pad(plan.valid, 0))
    n = len(plan.seg)
    for m in (cla[0], ica[0]):
        assert m[n:, n:].all() and not m[n:, :n].any() and not m[:n, n:].any()


def test_cover_bit_test_reaches_instance_29():
    # main token covered only by box 29 reads phrase 29 and not phrase 28
    seg = torch.tensor([[1, 1, 2]])
    inst = torch.tensor([[28, 29, -1]])
    cover = torch.tensor([[0, 0, 1 << 29]])
    valid = torch.ones(1, 3, dtype=torch.int64)
    cla, _ = attention_masks(seg, inst, cover, valid)
    assert cla[0, 2].tolist() == [False, True, True]
