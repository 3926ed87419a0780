"""End to end over stdio with the tiny FLUX folder (spec/WORKER-PROTOCOL.md): 2-step 128 x 128 jobs with two
references, same seed same bytes, previews, cancel, bad input with the worker staying healthy, clean exits."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("diffusers")

from flux_helpers import TINY, blob_rgba, ensure_tiny_flux, standard_job, write_job  # noqa: E402
from flux_worker_proc import WorkerProc  # noqa: E402


@pytest.fixture(scope="module")
def model_json():
    return ensure_tiny_flux()


@pytest.fixture(scope="module")
def worker(model_json):
    w = WorkerProc("--model-json", str(model_json), "--device", "cpu")
    ready = w.next(timeout=300)
    assert ready and ready["event"] == "ready", (ready, "".join(w.stderr)[-3000:])
    w.ready = ready
    yield w
    w.proc.stdin.close()  # EOF on stdin ends the worker (the supervisor died or closed the pipe)
    assert w.proc.wait(timeout=60) == 0
    assert all(json.loads(line) for line in w.lines)  # stdout carried only JSON events


def test_ready_reports_the_model(worker):
    m = worker.ready["model"]
    assert worker.ready["protocol"] == 1
    assert m["layerKinds"] == ["cla", "cla", "ica", "ica", "cla", "cla"]
    assert (m["doubleBlocks"], m["singleBlocks"], m["tokenSize"], m["textTokens"]) == (2, 4, 16, 512)
    assert m["profile"] == "full" and m["device"] == "cpu" and m["loraFused"] is True
    assert m["lora"].endswith("transformer_00100.safetensors") and m["trained"] is False


def test_generates_with_progress_previews_and_same_seed_same_bytes(worker, tmp_path):
    done, seen = worker.job("a", standard_job(tmp_path / "a", seed=7, preview_every=1))
    assert done["event"] == "done", seen
    assert [e["event"] for e in seen] == ["started", "progress", "progress", "done"]
    assert [(e["step"], e["total"]) for e in seen if e["event"] == "progress"] == [(1, 2), (2, 2)]
    for e in seen[1:3]:
        with Image.open(e["preview"]) as p:
            assert p.size == (128, 128)
    with Image.open(done["result"]) as im:
        assert (im.mode, im.size) == ("RGB", (128, 128))
        pixels = np.asarray(im)
    assert pixels.std() > 0  # not a blank image
    assert done["seed"] == 7 and done["timings"]["totalSeconds"] > 0

    again, _ = worker.job("b", standard_job(tmp_path / "b", seed=7))
    other, _ = worker.job("c", standard_job(tmp_path / "c", seed=8))
    first = (tmp_path / "a" / "result.png").read_bytes()
    assert (tmp_path / "b" / "result.png").read_bytes() == first
    assert (tmp_path / "c" / "result.png").read_bytes() != first


def test_cancel_running_and_queued_jobs(worker, tmp_path):
    worker.send({"cmd": "generate", "job": "long", "dir": str(standard_job(tmp_path / "l", steps=200))})
    worker.send({"cmd": "generate", "job": "queued", "dir": str(standard_job(tmp_path / "q"))})
    worker.until(lambda e: e.get("job") == "long" and e["event"] == "progress")
    worker.send({"cmd": "cancel", "job": "queued"})
    ev, _ = worker.until(lambda e: e.get("job") == "queued")
    assert ev == {"event": "cancelled", "job": "queued", "step": 0}
    worker.send({"cmd": "cancel", "job": "long"})
    ev, _ = worker.until(lambda e: e.get("job") == "long" and e["event"] != "progress")
    assert ev["event"] == "cancelled" and 1 <= ev["step"] < 200
    assert not (tmp_path / "l" / "result.png").exists()
    done, _ = worker.job("after-cancel", standard_job(tmp_path / "n"))
    assert done["event"] == "done"


def _rgb_reference_job(d):
    write_job(d, 64, 64, [[0, 0, 48, 48]], [blob_rgba(32, 32, 3)])
    Image.open(d / "ref-0.png").convert("RGB").save(d / "ref-0.png")
    return d


def _wrong_pos_job(d):
    standard_job(d)
    doc = json.loads((d / "job.json").read_text())
    doc["plan"]["pos"][-1] = [1, 0, 0]
    (d / "job.json").write_text(json.dumps(doc))
    return d


def _short_plan_job(d):
    standard_job(d)
    doc = json.loads((d / "job.json").read_text())
    doc["plan"]["seg"] = doc["plan"]["seg"][:-1]
    (d / "job.json").write_text(json.dumps(doc))
    return d


@pytest.mark.parametrize("make, words", [
    (lambda d: d, "job.json is missing"),
    (_rgb_reference_job, "needs a mask"),
    (_wrong_pos_job, "position rule"),
    (_short_plan_job, "plan.seg"),
    (lambda d: standard_job(d, seed=-1), "`seed`"),
    (lambda d: standard_job(d, text_tokens=77), "textTokens"),
])
def test_bad_job_is_refused_and_the_worker_stays_up(worker, tmp_path, make, words):
    d = tmp_path / "bad"
    d.mkdir()
    ev, _ = worker.job("bad", make(d))
    assert ev["event"] == "error" and ev["kind"] == "bad-input" and ev["fatal"] is False, ev
    assert words in ev["message"], ev["message"]
    assert not (d / "result.png").exists()


def test_bad_commands_are_answered(worker, tmp_path):
    worker.send("not json")
    ev, _ = worker.until(lambda e: e["event"] == "error")
    assert ev["job"] is None and ev["kind"] == "bad-input"
    worker.send({"cmd": "generate", "job": "../x", "dir": "/tmp"})
    ev, _ = worker.until(lambda e: e["event"] == "error")
    assert ev["kind"] == "bad-input" and "job" in ev["message"]
    ev, _ = worker.job("relative", "relative/dir")
    assert ev["kind"] == "bad-input" and "absolute" in ev["message"]
    done, _ = worker.job("healthy", standard_job(tmp_path / "ok"))
    assert done["event"] == "done"


def test_injected_oom_is_reported_and_the_worker_survives(model_json, tmp_path):
    w = WorkerProc("--model-json", str(model_json), "--device", "cpu", env={"CONTEXTGEN_FLUX_FAULT": "oom@2"})
    try:
        assert w.next(timeout=300)["event"] == "ready"
        for job in ("o1", "o2"):
            ev, seen = w.job(job, standard_job(tmp_path / job))
            assert ev["event"] == "error" and ev["kind"] == "oom" and ev["fatal"] is False, ev
            assert "smaller canvas" in ev["message"]
            assert [e["event"] for e in seen] == ["started", "progress", "error"]
    finally:
        assert w.close() == 0


def _lora_of_wrong_shape(tmp_path):
    from safetensors.torch import load_file, save_file

    root = tmp_path / "wrong-lora"
    (root / "lora").mkdir(parents=True)
    sd = load_file(TINY / "lora" / "transformer_00100.safetensors")
    key = "transformer.x_embedder.lora_A.weight"
    sd[key] = sd[key][:, :8].contiguous()  # in_features 16 -> 8
    save_file(sd, root / "lora" / "transformer_00200.safetensors")
    doc = json.loads((TINY / "model.json").read_text())
    doc["flux"]["diffusers"] = str(TINY / "diffusers")
    (root / "model.json").write_text(json.dumps(doc))
    return root / "model.json", "x_embedder"


def _missing_text_encoder(tmp_path):
    root = tmp_path / "incomplete"
    shutil.copytree(TINY, root)
    shutil.rmtree(root / "diffusers" / "text_encoder_2")
    return root / "model.json", "text_encoder_2"


@pytest.mark.parametrize("make, args, kind, code", [
    (lambda p: (p / "nowhere" / "model.json", "model.json not found"), [], "missing-files", 2),
    (_missing_text_encoder, [], "missing-files", 2),
    (_lora_of_wrong_shape, [], "bad-lora", 2),
    (lambda p: (TINY / "model.json", "needs a CUDA GPU"), ["--profile", "offload", "--device", "cpu"],
     "cuda-missing", 3),
    (lambda p: (TINY / "model.json", "fp8"), ["--profile", "fp8", "--device", "cpu"], "cuda-missing", 3),
    (lambda p: (TINY / "model.json", "--device cuda"), ["--device", "cuda"], "cuda-missing", 3),
])
def test_startup_failures_give_one_fatal_error_and_an_exit_code(model_json, tmp_path, make, args, kind, code):
    """In process (serve() with its own streams): the same code path as the process, without its start time."""
    import io

    import torch

    from contextgen_flux.protocol import EventWriter
    from contextgen_flux.worker import parse_args, serve

    if torch.cuda.is_available() and kind == "cuda-missing":
        pytest.skip("this machine has CUDA")
    path, words = make(tmp_path)
    out = io.StringIO()
    rc = serve(parse_args(["--model-json", str(path), *args]), EventWriter(out), io.StringIO(""))
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(events) == 1, events
    ev = events[0]
    assert ev["event"] == "error" and ev["kind"] == kind and ev["fatal"] is True and ev["job"] is None, ev
    assert words in ev["message"], ev["message"]
    assert rc == code


def test_a_failing_start_ends_the_process(tmp_path):
    path, _ = _lora_of_wrong_shape(tmp_path)
    w = WorkerProc("--model-json", str(path))
    ev = w.next(timeout=300)
    assert (ev["event"], ev["kind"], ev["fatal"]) == ("error", "bad-lora", True)
    assert w.proc.wait(timeout=60) == 2
    assert w.next(timeout=10) is None  # nothing after the fatal error, no process left


def test_check_mode_reports_setup(model_json, tmp_path):
    import subprocess
    import sys

    from flux_worker_proc import REPO

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "python"), "HF_HUB_OFFLINE": "1"}
    run = lambda p: subprocess.run([sys.executable, "-m", "contextgen_flux.worker", "--check", "--model-json",  # noqa
                                    str(p)], capture_output=True, text=True, env=env, timeout=300)
    good = run(model_json)
    report = json.loads(good.stdout)
    assert good.returncode == 0 and report["ok"] is True and report["problems"] == []
    assert report["packages"]["diffusers"] and report["lora"]["rank"] == 4 and report["lora"]["modules"] == 37
    bad_path, _ = _missing_text_encoder(tmp_path)
    bad = run(bad_path)
    report = json.loads(bad.stdout)
    assert bad.returncode == 1 and report["ok"] is False
    assert any("text_encoder_2" in m for m in report["files"]["missing"])
    assert [p["kind"] for p in report["problems"]] == ["missing-files"]


def test_only_a_broken_cuda_context_is_fatal():
    import torch

    from contextgen_flux.worker import device_state_lost

    assert device_state_lost(RuntimeError("CUDA error: an illegal memory access was encountered"))
    if hasattr(torch, "AcceleratorError"):
        assert device_state_lost(torch.AcceleratorError("launch failure"))
    assert not device_state_lost(ValueError("shapes do not match"))
    assert not device_state_lost(torch.OutOfMemoryError("CUDA out of memory"))
