"""Plans as TypeScript sends them (spec/WORKER-PROTOCOL.md 4.1, 6): the worker's position rule and masks equal
TypeScript's (the plan dump of scripts/dump-flux-plans.ts and the golden vectors), and a corrupted plan is refused."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("diffusers")

from dense_reference import dense_masks, token_list  # noqa: E402
from flux_helpers import REPO  # noqa: E402

from contextgen_flux.attention import MaskSet  # noqa: E402
from contextgen_flux.errors import WorkerError  # noqa: E402
from contextgen_flux.job_plan import parse_plan  # noqa: E402
from contextgen_train.plan import RefGrid, box_cover, token_plan  # noqa: E402

GOLDEN = sorted((REPO / "spec" / "golden").glob("*.json"))
DUMP_SCRIPT = REPO / "scripts" / "dump-flux-plans.ts"
DUMP = REPO / ".cache" / "flux-plans.json"


def rows(m: torch.Tensor) -> list[str]:
    return ["".join("1" if v else "0" for v in r) for r in m.tolist()]


def worker_masks(plan) -> tuple[list[str], list[str]]:
    m = MaskSet.from_descriptors(*(torch.from_numpy(a) for a in (plan.seg, plan.inst, plan.cover, plan.valid)), "cpu")
    return rows(m.for_kind("cla", 0)[0, 0]), rows(m.for_kind("ica", 0)[0, 0])


def flux_compatible(case: dict) -> bool:
    i = case["input"]
    return not any(i["phraseTokens"]) and all(g is not None for g in i["refGrids"])


def golden_as_job_plan(case: dict) -> tuple[dict, list[tuple[int, int]]]:
    i, e = case["input"], case["expected"]
    plan = {"tokenSize": i["tokenSize"], "textTokens": i["textTokens"],
            **{k: e[k] for k in ("seg", "inst", "cover", "valid", "pos")}}
    return plan, [(g["w"] * i["tokenSize"], g["h"] * i["tokenSize"]) for g in i["refGrids"]]


@pytest.mark.parametrize("path", [p for p in GOLDEN if flux_compatible(json.loads(p.read_text()))],
                         ids=lambda p: p.stem)
def test_golden_plans_give_the_golden_positions_and_masks(path):
    case = json.loads(path.read_text())
    plan_doc, sizes = golden_as_job_plan(case)
    i = case["input"]
    plan = parse_plan(plan_doc, i["width"], i["height"], sizes, i["tokenSize"], None)
    assert plan.pos.tolist() == case["expected"]["pos"]
    assert worker_masks(plan) == (case["expected"]["cla"], case["expected"]["ica"])


def test_golden_has_flux_compatible_cases():
    assert sum(flux_compatible(json.loads(p.read_text())) for p in GOLDEN) >= 1


def random_plan(rng: np.random.Generator, P: int = 16, text: int = 8):
    """A random request the TypeScript side could send: 1-4 instances, overlapping or nested boxes, random valid."""
    hm, wm = rng.integers(2, 7), rng.integers(2, 7)
    width, height = int(wm * P), int(hm * P)
    boxes, grids = [], []
    for _ in range(int(rng.integers(1, 5))):
        x1, y1 = rng.integers(0, width - 8), rng.integers(0, height - 8)
        boxes.append([int(x1), int(y1), int(rng.integers(x1 + 4, width + 1)), int(rng.integers(y1 + 4, height + 1))])
        h, w = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        v = rng.random((h, w)) < 0.7
        v.flat[rng.integers(0, h * w)] = True
        grids.append(RefGrid(h, w, v))
    tp = token_plan(width, height, P, text, [0] * len(boxes), boxes, grids)
    doc = {"tokenSize": P, "textTokens": text, "seg": tp.seg.tolist(), "inst": tp.inst.tolist(),
           "cover": tp.cover.tolist(), "valid": tp.valid.tolist(), "pos": tp.pos.tolist()}
    cells = [set(zip(*np.nonzero(box_cover(b, P, int(hm), int(wm))))) for b in boxes]
    cla, ica = dense_masks(token_list(text, [0] * len(boxes), cells, int(hm), int(wm), [g.valid for g in grids]))
    return doc, width, height, [(g.w * P, g.h * P) for g in grids], (rows(torch.from_numpy(cla)),
                                                                    rows(torch.from_numpy(ica)))


@pytest.mark.parametrize("seed", range(24))
def test_random_plans_are_accepted_and_masked_by_the_design_table(seed):
    doc, width, height, sizes, expected = random_plan(np.random.default_rng(seed))
    plan = parse_plan(doc, width, height, sizes, 16, None)
    assert worker_masks(plan) == expected


CORRUPTIONS = {
    "seg": lambda d, r: d["seg"].__setitem__(int(r.integers(0, len(d["seg"]))), 3 if d["seg"][0] != 3 else 2),
    "pos": lambda d, r: d["pos"][int(r.integers(d["textTokens"], len(d["pos"])))].__setitem__(1, 99),
    "cover-on-layout": lambda d, r: d["cover"].__setitem__(d["seg"].index(3), 1),
    "inst-on-main": lambda d, r: d["inst"].__setitem__(d["seg"].index(2), 0),
    "negative-cover": lambda d, r: d["cover"].__setitem__(d["seg"].index(2), -1),
    "valid-2": lambda d, r: d["valid"].__setitem__(d["seg"].index(4), 2),
    "phrase": lambda d, r: d["seg"].__setitem__(0, 1),
    "float": lambda d, r: d["inst"].__setitem__(0, 0.5),
    "string": lambda d, r: d["pos"].__setitem__(0, "x"),
    "short": lambda d, r: d["valid"].pop(),
    "fractional-pos": lambda d, r: d["pos"][-1].__setitem__(2, d["pos"][-1][2] + 0.5),
    "float-pos": lambda d, r: d["pos"][-1].__setitem__(2, float(d["pos"][-1][2])),
    "bool-valid": lambda d, r: d["valid"].__setitem__(0, True),
    "pos-row-of-2": lambda d, r: d["pos"].__setitem__(0, [0, 0]),
    "empty-ref-mask": lambda d, r: [d["valid"].__setitem__(i, 0) for i, s in enumerate(d["seg"]) if s == 4],
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupted_plans_are_refused(name):
    rng = np.random.default_rng(99)
    doc, width, height, sizes, _ = random_plan(rng)
    parse_plan(json.loads(json.dumps(doc)), width, height, sizes, 16, None)  # the clean plan passes
    CORRUPTIONS[name](doc, rng)
    with pytest.raises(WorkerError) as e:
        parse_plan(doc, width, height, sizes, 16, None)
    assert e.value.kind == "bad-input" and "job.json" in e.value.message or "mask" in e.value.message


def test_reference_sizes_must_match_the_plan():
    doc, width, height, sizes, _ = random_plan(np.random.default_rng(5))
    sizes[0] = (sizes[0][0] + 16, sizes[0][1])
    with pytest.raises(WorkerError, match="expected a list of"):
        parse_plan(doc, width, height, sizes, 16, None)
    with pytest.raises(WorkerError, match="multiples of 16"):
        parse_plan(doc, width, height, [(24, 16)] + sizes[1:], 16, None)


@pytest.fixture(scope="module")
def ts_plans():
    if not DUMP_SCRIPT.is_file():
        pytest.skip(f"{DUMP_SCRIPT.relative_to(REPO)} (TypeScript plan dump) not in this checkout yet")
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx not found: cannot run the TypeScript plan dump")
    DUMP.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([npx, "tsx", str(DUMP_SCRIPT), str(DUMP)], cwd=REPO, check=True, timeout=300)
    doc = json.loads(DUMP.read_text())
    assert doc["format"] == "contextgen-flux-plans/1"
    return doc["plans"]


def ref_sizes(case: dict) -> list[tuple[int, int]]:
    """`refSizes` of the dump; an older dump without it: each reference segment's extent in its position ids
    (parse_plan still recomputes every id from these sizes, so the offset rule is checked either way)."""
    if "refSizes" in case:
        return [tuple(s) for s in case["refSizes"]]
    plan = case["plan"]
    seg, inst, pos = np.array(plan["seg"]), np.array(plan["inst"]), np.array(plan["pos"])
    out = []
    for i in dict.fromkeys(inst[seg == 4].tolist()):
        p = pos[(seg == 4) & (inst == i)]
        out.append((int(np.ptp(p[:, 2]) + 1) * 16, int(np.ptp(p[:, 1]) + 1) * 16))
    return out


def test_typescript_plans_equal_the_workers(ts_plans):
    assert len(ts_plans) >= 20
    for case in ts_plans:
        plan = parse_plan(case["plan"], case["width"], case["height"], ref_sizes(case), 16,
                          None)  # also recomputes pos and refuses a mismatch
        cla, ica = worker_masks(plan)
        assert cla == case["expected"]["cla"], case["name"]
        assert ica == case["expected"]["ica"], case["name"]
