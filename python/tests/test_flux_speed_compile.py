"""torch.compile of the repeated blocks (compile_blocks.py) with sequence buckets: compiled and eager outputs agree,
a second request in the same bucket compiles nothing, a request in a new bucket compiles (so the count can fail).

Backend: `aot_eager` by default (Dynamo capture, guards and AOTAutograd graphs exactly as with Inductor, without
the C++ build, which takes 2.5-3 minutes for these graphs on the project's 2 shared cores). Set
CONTEXTGEN_TEST_INDUCTOR=1 to run the same test with Inductor."""

from __future__ import annotations

import os

import pytest
import torch

pytest.importorskip("diffusers")

from flux_helpers import ensure_tiny_flux  # noqa: E402
from speed_cases import forward, make_case  # noqa: E402

from contextgen_flux.compile_blocks import bucket_length, compile_blocks  # noqa: E402
from contextgen_flux.loader import load_model  # noqa: E402
from contextgen_flux.model_files import read_model_json  # noqa: E402
from contextgen_flux.speed import SpeedOptions, apply_speed  # noqa: E402

BACKENDS = ["aot_eager"] + (["inductor"] if os.environ.get("CONTEXTGEN_TEST_INDUCTOR") == "1" else [])
BUCKET = 512


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("attention", ["flex", "dense"])
def test_compiled_blocks_equal_eager_and_a_bucket_compiles_once(attention, backend, record_property):
    import torch._dynamo
    from torch._dynamo.utils import counters

    model = load_model(read_model_json(ensure_tiny_flux()), profile="full", device="cpu", dtype="float32")
    apply_speed(model, SpeedOptions(attention=attention))
    a = make_case(3)
    b = make_case(4, boxes=[[0, 0, 96, 96], [100, 20, 200, 150]])  # other plan and length, same bucket
    c = make_case(5, width=320, height=224)  # a longer request: the next bucket
    assert bucket_length(len(a[0].seg), BUCKET) == bucket_length(len(b[0].seg), BUCKET) == BUCKET
    assert len(a[0].seg) != len(b[0].seg) and bucket_length(len(c[0].seg), BUCKET) > BUCKET
    eager = [forward(model, p, x, attention, bucket=BUCKET) for p, x in (a, b, c)]

    torch._dynamo.reset()
    counters.clear()
    compile_blocks(model.pipe.transformer, backend=backend)

    def compiled_frames() -> int:
        return counters["frames"]["ok"]

    got_a = forward(model, *a, attention, bucket=BUCKET)
    first = compiled_frames()
    assert first >= 2, "the double and the single block class must each compile"
    got_b = forward(model, *b, attention, bucket=BUCKET)
    assert compiled_frames() == first, f"a second request in the bucket recompiled: {dict(counters['recompiles'])}"
    got_c = forward(model, *c, attention, bucket=BUCKET)
    assert compiled_frames() > first, "a new bucket must compile (else the counter proves nothing)"
    assert not counters["graph_break"], dict(counters["graph_break"])
    diffs = [(g - e).abs().max().item() for g, e in zip((got_a, got_b, got_c), eager)]
    record_property(f"compile_{backend}_{attention}_max_abs_diff", max(diffs))
    print(f"{backend} / {attention}: compiled vs eager max abs diff {max(diffs):.3e}; frames compiled: "
          f"{first} for the first bucket, {compiled_frames() - first} for the second")
    assert max(diffs) <= 1e-5
    assert all(e.abs().max() > 0.1 for e in eager)
    torch._dynamo.reset()
