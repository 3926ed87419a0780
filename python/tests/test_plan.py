import numpy as np
import pytest

from contextgen_train.masks import LAYOUT, MAIN, PHRASE, REF, TEXT
from contextgen_train.plan import RefGrid, box_cover, choose_ref_grid, token_plan


def test_positions_and_diagonal_reference_offsets():
    g0, g1 = RefGrid(2, 3, np.ones((2, 3), bool)), RefGrid(1, 2, np.array([[True, False]]))
    plan = token_plan(32, 16, 8, 2, [1, 0], [(0, 0, 16, 16), (9, 0, 32, 8)], [g0, g1])
    assert plan.seg.tolist() == [TEXT] * 2 + [PHRASE] + [MAIN] * 8 + [LAYOUT] * 8 + [REF] * 8
    assert plan.n_txt == 3 and plan.n_main == 8 and plan.n_img == 24
    refs = plan.pos[plan.seg == REF].tolist()
    assert refs[:6] == [[1, 2 + y, 4 + x] for y in range(2) for x in range(3)]  # Y0 = Hm, X0 = Wm
    assert refs[6:] == [[1, 4, 7], [1, 4, 8]]  # Y1 = Y0 + h0, X1 = X0 + w0
    assert plan.valid[plan.seg == REF].tolist() == [1] * 6 + [1, 0]
    assert plan.pos[plan.seg == LAYOUT][:, 0].tolist() == [1] * 8


def test_box_cover_uses_floor_and_ceil():
    cov = box_cover((9, 0, 17, 8), 8, 2, 4)  # x: floor(9/8)=1 .. ceil(17/8)=3
    assert cov.astype(int).tolist() == [[0, 1, 1, 0], [0, 0, 0, 0]]


def test_cover_bits():
    plan = token_plan(16, 8, 8, 1, [0, 0], [(0, 0, 8, 8), (0, 0, 16, 8)], [None, None])
    assert plan.cover[plan.seg == MAIN].tolist() == [3, 2]


# (cropH, cropW) -> (h, w) as computed by packages/core refGrid (P 8, refArea 4096, refMaxSide 96)
CORE_GRIDS = [[64, 64, 8, 8], [64, 32, 11, 6], [10, 100, 3, 12], [53, 7, 12, 3], [17, 33, 6, 11], [1, 1, 8, 8],
              [45, 60, 7, 9], [64, 13, 12, 4]]


@pytest.mark.parametrize("case", CORE_GRIDS)
def test_reference_grid_matches_core(case):
    assert choose_ref_grid(case[0], case[1], 8, 4096, 96) == (case[2], case[3])


def test_reference_grid_choice():
    assert choose_ref_grid(64, 64, 8, 4096, 96) == (8, 8)  # exact aspect and area exist
    assert choose_ref_grid(20, 20, 8, 1024, 96) == (4, 4)
    h, w = choose_ref_grid(64, 32, 8, 4096, 96)
    assert 1.6 <= h / w <= 2.2 and 0.8 <= h * w / 64 <= 1.25
    h, w = choose_ref_grid(10, 100, 8, 4096, 96)  # very wide: the side limit (96 / 8) binds
    assert w == 12 and h < w


def test_plan_rejects_bad_canvas():
    with pytest.raises(ValueError, match="multiple of the token size"):
        token_plan(30, 16, 8, 1, [], [], [])
