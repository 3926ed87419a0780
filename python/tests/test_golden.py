"""Golden vectors written by the TypeScript side (scripts/gen-golden.ts, dense reference builder)."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from contextgen_train.masks import attention_masks
from contextgen_train.plan import RefGrid, token_plan

GOLDEN = sorted((Path(__file__).resolve().parents[2] / "spec" / "golden").glob("*.json"))


def load_cases():
    if not GOLDEN:
        pytest.skip("spec/golden/*.json not generated yet (npx tsx scripts/gen-golden.ts)")
    return [json.loads(p.read_text()) for p in GOLDEN]


def plan_of(inp):
    grids = [None if g is None else RefGrid(g["h"], g["w"], np.array([[c == "1" for c in row] for row in g["valid"]]))
             for g in inp["refGrids"]]
    return token_plan(inp["width"], inp["height"], inp["tokenSize"], inp["textTokens"], inp["phraseTokens"],
                      [tuple(b) for b in inp["boxes"]], grids)


def test_golden_files_exist_or_skip():
    assert len(load_cases()) > 0


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_case(path):
    case = json.loads(path.read_text())
    plan, exp = plan_of(case["input"]), case["expected"]
    for name in ("seg", "inst", "cover", "valid"):
        assert getattr(plan, name).tolist() == exp[name], name
    assert plan.pos.tolist() == exp["pos"]
    t = lambda a: torch.from_numpy(a)[None]  # noqa: E731
    cla, ica = attention_masks(t(plan.seg), t(plan.inst), t(plan.cover), t(plan.valid))
    as_rows = lambda m: ["".join("1" if v else "0" for v in row) for row in m[0].tolist()]  # noqa: E731
    assert as_rows(cla) == exp["cla"]
    assert as_rows(ica) == exp["ica"]
