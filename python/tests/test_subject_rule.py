"""The one alpha-to-mask rule (packages/core/src/subject-rule.ts): alpha >= 128 is the subject."""

import numpy as np

from contextgen_train.references import SUBJECT_MIN, reference_tokens, subject_mask


def test_half_coverage_threshold_matches_core():
    assert SUBJECT_MIN == 128
    assert subject_mask(np.array([0, 1, 127, 128, 255], np.uint8)).tolist() == [False, False, False, True, True]


def test_faint_alpha_changes_no_reference_token():
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., :3] = 200
    rgba[2:6, 2:6, 3] = 255
    faint = rgba.copy()
    faint[0:2, :, 3] = 127  # a soft halo under half coverage
    a = reference_tokens(rgba, 4, 64, 8)
    b = reference_tokens(faint, 4, 64, 8)
    assert a is not None and b is not None
    assert (a.grid.h, a.grid.w) == (b.grid.h, b.grid.w)
    np.testing.assert_array_equal(a.patches, b.patches)
    all_faint = np.full((4, 4, 4), 127, np.uint8)
    assert reference_tokens(all_faint, 4, 16, 4) is None  # no subject: no reference
