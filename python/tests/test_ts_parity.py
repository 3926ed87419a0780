"""Train/inference parity: the TypeScript pipeline (`contextgen generate`'s path) must feed the denoiser
exactly what the trainer builds for the same dataset record (scripts/parity, contextgen_train.parity).
Builds a small IMIG-Synth folder, exports its records as requests and runs them through the tiny
fixture model on both sides. Needs node (npx tsx) and the root node_modules; skipped without them."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from contextgen_train.parity import compare, load_dump
from contextgen_train.sample import OnnxModel
from contextgen_train.shards import ShardReader

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "packages/runtime/test-fixtures/tiny-model"
COUNT = 3

pytestmark = pytest.mark.skipif(shutil.which("npx") is None or not (ROOT / "node_modules/.bin/tsx").exists(),
                                reason="needs node and the root node_modules (npm install)")


def _tsx(*args: str) -> None:
    r = subprocess.run(["npx", "tsx", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"npx tsx {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("parity")
    data, out = tmp / "ds", tmp / "out"
    _tsx("packages/dataset/src/main.ts", "build", "--count", str(COUNT), "--size", "64", "--ref-size", "32",
         "--levels", "1-3", "--seed", "3", "--out", str(data), "--quiet")
    _tsx("scripts/parity/ts-side.ts", str(data), str(TINY), str(out), str(COUNT))
    model, reader = OnnxModel(TINY), ShardReader(data)
    return [compare(model, reader[i], load_dump(out / f"s{i}" / "ts")) for i in range(COUNT)]


def test_ids_descriptors_text_and_references_match(reports):
    assert sum(len(r["ref_maxdiff"]) for r in reports) >= 3  # the check saw references
    for r in reports:
        assert r["prompt_ids_equal"] and r["phrase_ids_equal"], r
        assert r["shapes_equal"], r["shapes"]
        assert all(r[f"{k}_equal"] for k in ("pos", "seg", "inst", "cover", "valid")), r
        assert r["txt_maxdiff"] < 1e-5
        assert max(r["ref_maxdiff"], default=0) < 1e-6  # same bytes, float32 rounding only


def test_runtime_schedule_and_sampler_match(reports):
    for r in reports:
        assert r["timesteps_maxdiff"] < 1e-12
        assert r["out0_runtime_maxdiff"] < 1e-4  # one denoiser call, same inputs, node vs Python ORT
        assert r["final_runtime_maxdiff"] < 1e-4  # full Euler sample from the same noise and inputs


def test_layout_and_model_output_match(reports):
    for r in reports:
        assert r["layout_maxdiff"] < 1e-6
        assert r["out0_maxdiff"] < 1e-4 and r["final_maxdiff"] < 1e-4


def test_same_seed_same_picture(reports):
    """The Python sampler draws the TypeScript noise for the request's seed and ends on the same latent."""
    for r in reports:
        assert r["noise_bits_equal"], r
        assert r["seed_final_maxdiff"] < 1e-4
