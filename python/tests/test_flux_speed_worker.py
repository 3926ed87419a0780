"""Speed options end to end with the tiny FLUX folder: prompt-embedding cache, options from model.json and the
command line, a whole generation on the speed path (flex + bucket padding + cache) equal to the plain path, and
the worker process reporting what it runs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

pytest.importorskip("diffusers")

from flux_helpers import ensure_tiny_flux, standard_job  # noqa: E402
from flux_worker_proc import WorkerProc  # noqa: E402

from contextgen_flux.errors import WorkerError  # noqa: E402
from contextgen_flux.job import read_job  # noqa: E402
from contextgen_flux.loader import TEXT_TOKENS, TOKEN_SIZE, load_model  # noqa: E402
from contextgen_flux.model_files import read_model_json  # noqa: E402
from contextgen_flux.prompt_cache import PromptCache  # noqa: E402
from contextgen_flux.sampler import generate  # noqa: E402
from contextgen_flux.speed import SpeedOptions, apply_speed, read_speed_options  # noqa: E402


@pytest.fixture(scope="module")
def model_json():
    return ensure_tiny_flux()


@pytest.fixture(scope="module")
def model(model_json):
    return load_model(read_model_json(model_json), profile="full", device="cpu", dtype="float32")


def counting(monkeypatch, pipe) -> list[str]:
    calls: list[str] = []
    real = pipe.encode_prompt

    def encode_prompt(**kw):
        calls.append(kw["prompt"])
        return real(**kw)

    monkeypatch.setattr(pipe, "encode_prompt", encode_prompt)
    return calls


def test_prompt_cache_hit_returns_identical_embeddings_without_encoding(model, monkeypatch):
    pipe = model.pipe
    calls = counting(monkeypatch, pipe)
    cache = PromptCache(2)
    with torch.inference_mode():
        direct = pipe.encode_prompt(prompt="a cat", prompt_2=None, device="cpu", max_sequence_length=64)
        first = cache.encode_prompt(pipe, "a cat", torch.device("cpu"), 64)
        second = cache.encode_prompt(pipe, "a cat", torch.device("cpu"), 64)
        assert calls == ["a cat", "a cat"] and (cache.hits, cache.misses) == (1, 1)
        for a, b, c in zip(direct, first, second):
            assert torch.equal(a, b) and torch.equal(a, c)
        second[0].add_(1.0)  # a caller editing its copy cannot change the cache
        third = cache.encode_prompt(pipe, "a cat", torch.device("cpu"), 64)
        assert torch.equal(third[0], direct[0])
        other = cache.encode_prompt(pipe, "a dog", torch.device("cpu"), 64)
        assert not torch.equal(other[0], direct[0])
        cache.encode_prompt(pipe, "a cat", torch.device("cpu"), 32)  # another T5 length is another entry
        assert len(cache) == 2 and calls[-2:] == ["a dog", "a cat"]
        cache.encode_prompt(pipe, "a cat", torch.device("cpu"), 64)  # evicted (LRU of 2): encoded again
        assert calls[-1] == "a cat" and len(calls) == 5
    off = PromptCache(0)
    off.get(("k",), lambda: (torch.zeros(1),) * 3)
    assert len(off) == 0 and off.misses == 1
    with pytest.raises(ValueError, match="0 turns it off"):
        PromptCache(-1)


def test_options_model_json_then_command_line(tmp_path, model_json):
    doc = json.loads(model_json.read_text())
    doc["flux"]["speed"] = {"attention": "flex", "bucket": 512, "promptCache": 3}
    p = tmp_path / "model.json"
    p.write_text(json.dumps(doc))
    o = read_speed_options(p, {"attention": "dense", "bucket": None, "compile": None})
    assert (o.attention, o.bucket_tokens("dense"), o.prompt_cache, o.compile, o.lora) == \
        ("dense", 512, 3, "off", "fused")
    assert read_speed_options(model_json).bucket_tokens("dense") == 0
    assert read_speed_options(model_json).bucket_tokens("flex") == 1024  # the flex kernel compiles per length
    assert read_speed_options(model_json, {"compile": "blocks"}).bucket_tokens("dense") == 1024
    for bad, words in (({"bucket": -5}, "bucket must be an integer"), ({"attention": "fast"}, "attention must be"),
                       ({"promptCache": "many"}, "promptCache must be"), ({"turbo": True}, "keys among")):
        doc["flux"]["speed"] = bad
        p.write_text(json.dumps(doc))
        with pytest.raises(WorkerError, match=words) as e:
            read_speed_options(p)
        assert e.value.kind == "bad-input"


def test_generation_on_the_speed_path_equals_the_plain_path(model, tmp_path, monkeypatch, record_property):
    job = read_job(str(standard_job(tmp_path / "job", steps=2)), TOKEN_SIZE, TEXT_TOKENS)
    assert model.speed is None
    plain, _ = generate(model, job)
    apply_speed(model, SpeedOptions(attention="flex", bucket=256, prompt_cache=4))
    try:
        calls = counting(monkeypatch, model.pipe)
        fast, _ = generate(model, job)
        again, _ = generate(model, job)
        assert len(calls) == 1, "the second generation reuses the prompt embeddings"
        assert model.facts()["speed"]["attention"] == "flex" and model.facts()["speed"]["bucket"] == 256
    finally:
        model.speed = None
    a, b, c = (np.asarray(im, dtype=np.int16) for im in (plain, fast, again))
    diff = int(np.abs(a - b).max())
    record_property("speed_path_max_pixel_diff", diff)
    print(f"speed path (flex + bucket 256 + prompt cache) vs plain: max pixel diff {diff}")
    assert diff <= 1 and np.array_equal(b, c)
    assert a.std() > 1, "the image must not be flat"


def test_worker_flags_reach_the_model(model_json, tmp_path):
    w = WorkerProc("--model-json", str(model_json), "--device", "cpu", "--attention", "flex", "--bucket", "256",
                   "--prompt-cache", "2")
    try:
        ready = w.next(timeout=300)
        assert ready and ready["event"] == "ready", (ready, "".join(w.stderr)[-3000:])
        s = ready["model"]["speed"]
        assert (s["attention"], s["bucket"], s["promptCache"], s["compile"], s["lora"]) == \
            ("flex", 256, 2, "off", "fused")
        assert ready["model"]["loraFused"] is True
        done, _ = w.job("j1", standard_job(tmp_path / "j1", steps=1))
        assert done["event"] == "done", done
    finally:
        w.proc.stdin.close()
        assert w.proc.wait(timeout=60) == 0
