"""The published-model benchmark script (python/scripts/bench_published.py): its FLOP count against a count written
out by hand from the FLUX block structure, and a tiny end-to-end run on CPU writing the table."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytest.importorskip("diffusers")

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_published.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_published", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def hand_linear_flops(cfg: dict, n_img: int, text: int) -> float:
    """2 x multiply-adds of every linear layer of FluxTransformer2DModel, from its structure (diffusers 0.42)."""
    d = cfg["num_attention_heads"] * cfg["attention_head_dim"]
    m = 4 * d  # MLP width
    c_in, j, p = cfg["in_channels"], cfg["joint_attention_dim"], cfg["pooled_projection_dim"]
    mm = lambda tokens, i, o: 2.0 * tokens * i * o  # noqa: E731
    f = mm(n_img, c_in, d) + mm(text, j, d)  # x_embedder, context_embedder
    f += 2 * (mm(1, 256, d) + mm(1, d, d)) + mm(1, p, d) + mm(1, d, d)  # timestep + guidance MLPs, pooled text
    stream = lambda t: mm(t, d, 3 * d) + mm(t, d, d) + mm(t, d, m) + mm(t, m, d)  # noqa: E731 qkv, out, MLP
    f += cfg["num_layers"] * (2 * mm(1, d, 6 * d) + stream(n_img) + stream(text))  # double: modulations, streams
    n = n_img + text
    f += cfg["num_single_layers"] * (mm(1, d, 3 * d) + mm(n, d, m) + mm(n, d, 3 * d) + mm(n, d + m, d))
    f += mm(1, d, 2 * d) + mm(n_img, d, c_in)  # norm_out modulation, proj_out
    return f


@pytest.mark.parametrize("which", ["TINY", "FULL"])
def test_linear_flop_count_matches_the_structure(bench, which):
    cfg = getattr(bench, which)
    text = 32 if which == "TINY" else 512
    plan = bench.make_plan(192 if which == "TINY" else 768, [(8, 8)] * 3, bench.CASES[0][3], text)
    n_img = len(plan.seg) - text
    assert bench.linear_flops(cfg, plan, text) == pytest.approx(hand_linear_flops(cfg, n_img, text), rel=1e-12)


def test_tiny_run_writes_the_table(bench, tmp_path):
    out = tmp_path / "out"
    assert bench.main(["--tiny", "--device", "cpu", "--rows", "official,fused-dense,generation", "--steps", "1",
                       "--gen-steps", "3", "--out", str(out)]) == 0
    rep = json.loads((out / "bench-published.json").read_text())
    assert [c["tokens"] for c in rep["cases"]] == [512, 1120]
    rows = [(r["row"], r["case"]) for r in rep["results"]]
    first = rep["cases"][0]["name"]
    per_case = [(r, c["name"]) for r in ("official", "fused-dense") for c in rep["cases"]]
    assert rows == per_case + [("generation", first)]
    gen = rep["results"][-1]["generation"]
    assert gen["steps"] == 3 and gen["imageSize"] == [192, 192] and gen["denoiseSeconds"] > 0
    for r in rep["results"]:
        assert r["secondsPerStep"] > 0 and r["finite"] and r["timesIdeal"] > 1
    assert all(r["speedup"] == 1.0 for r in rep["results"] if r["row"] == "official")
    for c in rep["cases"]:
        assert 0 < c["allowedFraction"]["cla"] <= c["tileFraction"]["cla"] < 1  # tiles cover the allowed pairs
        assert c["neededTotal"] < c["flexTotal"] < c["denseTotal"]
    md = (out / "bench-published.md").read_text()
    assert "| fused-dense | 1024x1024, 4 refs /4 | 1120 |" in md
