"""contextgen_train.noise against the TypeScript generator (packages/core/src/noise.ts): vectors written by
scripts/gen-noise-golden.ts into fixtures/noise-golden.json, compared bit for bit; when node is present the
fixture itself is regenerated and checked, so a change on either side fails here."""

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from contextgen_train.noise import Rng, gaussian_noise, portable_log

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "noise-golden.json"
GOLDEN = json.loads(FIXTURE.read_text())


def test_uint32_stream_matches_typescript():
    for case in GOLDEN["uint32"]:
        rng = Rng(case["seed"])
        assert [rng.next_uint32() for _ in case["values"]] == case["values"], case["seed"]


def test_floats_match_typescript():
    for case in GOLDEN["float"]:
        rng = Rng(case["seed"])
        assert [rng.next_float() for _ in case["values"]] == case["values"], case["seed"]


def test_portable_log_matches_typescript_and_math_log():
    for case in GOLDEN["log"]:
        assert portable_log(case["x"]) == case["ln"], case["x"]  # bit-exact to the JS value
        assert portable_log(case["x"]) == pytest.approx(np.log(case["x"]), rel=1e-15, abs=1e-15)


def test_gaussian_bits_match_typescript():
    for case in GOLDEN["gaussianBits"]:
        got = gaussian_noise(case["seed"], case["n"])
        assert got.dtype == np.float32 and got.shape == (case["n"],)
        assert got.view(np.uint32).tolist() == case["bits"], case["seed"]


def test_full_latent_hash_matches_typescript():
    for case in GOLDEN["gaussianSha256"]:
        got = gaussian_noise(case["seed"], case["n"])
        assert hashlib.sha256(got.astype("<f4").tobytes()).hexdigest() == case["sha256"], case["seed"]
        assert abs(float(got.mean())) < 0.02 and abs(float(got.std()) - 1) < 0.02  # it is normal noise


def test_prefix_property_and_seed_checks():
    assert np.array_equal(gaussian_noise(5, 10), gaussian_noise(5, 11)[:10])
    assert not np.array_equal(gaussian_noise(5, 10), gaussian_noise(6, 10))
    for bad in (-1, 2**32, 1.5, True):
        with pytest.raises(ValueError, match="seed must be an integer"):
            Rng(bad)
    with pytest.raises(ValueError, match="positive finite"):
        portable_log(0.0)


@pytest.mark.skipif(shutil.which("npx") is None or not (ROOT / "node_modules/.bin/tsx").exists(),
                    reason="needs node and the root node_modules (npm install)")
def test_fixture_is_what_typescript_writes_today(tmp_path):
    out = tmp_path / "golden.json"
    r = subprocess.run(["npx", "tsx", "scripts/gen-noise-golden.ts", str(out)], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text()) == GOLDEN, "noise.ts changed: rerun npx tsx scripts/gen-noise-golden.ts"
