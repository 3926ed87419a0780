"""The flux-kontext-lora model folder as the worker reads it: model.json, LoRA file choice, folder completeness,
LoRA header checks against the transformer. No weights are loaded."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

pytest.importorskip("diffusers")

from flux_helpers import TINY, ensure_tiny_flux  # noqa: E402

from contextgen_flux.errors import WorkerError  # noqa: E402
from contextgen_flux.lora_check import check_lora  # noqa: E402
from contextgen_flux.model_files import (layer_kinds, missing_files, official_layer_kinds, pick_lora,  # noqa: E402
                                         read_model_json)


@pytest.fixture(scope="module")
def tiny():
    ensure_tiny_flux()
    return TINY


@pytest.fixture(scope="module")
def transformer_config(tiny):
    return json.loads((tiny / "diffusers" / "transformer" / "config.json").read_text())


def write_model_json(d, **flux):
    d.mkdir(parents=True, exist_ok=True)
    doc = {"format": "contextgen-model/1", "kind": "flux-kontext-lora", "name": "x",
           "flux": {"diffusers": "base", "lora": "lora", **flux}}
    (d / "model.json").write_text(json.dumps(doc))
    return d / "model.json"


def test_official_schedule_for_the_published_block_counts():
    kinds = official_layer_kinds(19, 38)
    assert kinds[:19] == ["cla"] * 19 and kinds[19:38] == ["ica"] * 19 and kinds[38:] == ["cla"] * 19


def test_model_json_paths_resolve_against_its_folder(tmp_path):
    spec = read_model_json(write_model_json(tmp_path / "m"))
    assert spec.diffusers == (tmp_path / "m" / "base").resolve() and spec.profile == "full"
    assert spec.dtype == "bfloat16" and spec.layer_kinds is None


@pytest.mark.parametrize("flux, words", [
    ({"profile": "turbo"}, "flux.profile"),
    ({"dtype": "float16"}, "flux.dtype"),
    ({"lora": ""}, "flux.lora"),
])
def test_model_json_errors_name_the_field(tmp_path, flux, words):
    with pytest.raises(WorkerError, match=words) as e:
        read_model_json(write_model_json(tmp_path / "m", **flux))
    assert e.value.kind == "bad-input"


def test_wrong_kind_and_layer_kinds_are_refused(tmp_path):
    p = write_model_json(tmp_path / "m")
    doc = json.loads(p.read_text())
    p.write_text(json.dumps({**doc, "kind": "onnx"}))
    with pytest.raises(WorkerError, match="flux-kontext-lora"):
        read_model_json(p)
    p.write_text(json.dumps({**doc, "layerKinds": ["cla", "ica", "cla"]}))
    with pytest.raises(WorkerError, match="2 double \\+ 4 single"):
        layer_kinds(read_model_json(p), 2, 4)
    p.write_text(json.dumps({**doc, "layerKinds": ["cla", "full"]}))
    with pytest.raises(WorkerError, match="layerKinds"):
        read_model_json(p)


def test_lora_folder_picks_the_highest_step(tmp_path):
    d = tmp_path / "lora"
    d.mkdir()
    for n in ("transformer_00100.safetensors", "transformer_02000.safetensors", "transformer_00900.safetensors",
              "notes.txt"):
        (d / n).write_bytes(b"x")
    assert pick_lora(d).name == "transformer_02000.safetensors"
    assert pick_lora(d / "transformer_00100.safetensors").name == "transformer_00100.safetensors"


def test_lora_folder_without_official_names_says_what_to_do(tmp_path):
    d = tmp_path / "lora"
    d.mkdir()
    (d / "my_lora.safetensors").write_bytes(b"x")
    with pytest.raises(WorkerError, match="my_lora.safetensors: name the file") as e:
        pick_lora(d)
    assert e.value.kind == "missing-files"
    (d / "adapter.bin").write_bytes(b"x")
    with pytest.raises(WorkerError, match=".safetensors"):
        pick_lora(d / "adapter.bin")
    with pytest.raises(WorkerError, match="not found"):
        pick_lora(tmp_path / "absent")


def test_missing_files_lists_components_shards_and_lfs_pointers(tiny, tmp_path):
    base = tmp_path / "base"
    shutil.copytree(tiny / "diffusers", base)
    assert missing_files(base) == []
    (base / "vae" / "diffusion_pytorch_model.safetensors").write_text("version https://git-lfs.github.com/spec/v1\n")
    shutil.rmtree(base / "tokenizer_2")
    idx = {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
    (base / "text_encoder_2" / "model.safetensors.index.json").write_text(json.dumps(idx))
    missing = missing_files(base)
    assert any("git lfs pull" in m and "vae" in m for m in missing)
    assert any(m.endswith("tokenizer_2/") for m in missing)
    assert any(m.endswith("model-00001-of-00002.safetensors") for m in missing)
    assert missing_files(tmp_path / "nowhere") == [str(tmp_path / "nowhere")]


def test_the_tiny_lora_passes_the_header_check(tiny, transformer_config):
    facts = check_lora(tiny / "lora" / "transformer_00100.safetensors", transformer_config)
    assert facts == {"modules": 37, "rank": 4, "parameters": facts["parameters"]} and facts["parameters"] > 0


@pytest.mark.parametrize("edit, words", [
    (lambda sd: sd.pop("transformer.x_embedder.lora_B.weight"), "lacks lora_B"),
    (lambda sd: sd.__setitem__("text_encoder.foo.lora_A.weight", torch.zeros(4, 4)), "not a transformer LoRA"),
    (lambda sd: sd.__setitem__("transformer.nope.lora_A.weight", torch.zeros(4, 4)), "not a Linear"),
    (lambda sd: sd.__setitem__("transformer.x_embedder.lora_B.weight", torch.zeros(64, 4)), "lora_B [32, r]"),
])
def test_lora_header_errors(tiny, transformer_config, tmp_path, edit, words):
    from safetensors.torch import load_file, save_file

    sd = load_file(tiny / "lora" / "transformer_00100.safetensors")
    edit(sd)
    save_file(sd, tmp_path / "bad.safetensors")
    with pytest.raises(WorkerError) as e:
        check_lora(tmp_path / "bad.safetensors", transformer_config)
    assert e.value.kind == "bad-lora" and words in e.value.message, e.value.message


def test_a_damaged_lora_file_is_reported(tmp_path, transformer_config):
    (tmp_path / "x.safetensors").write_bytes(b"\xff" * 16)
    with pytest.raises(WorkerError, match="not a readable safetensors") as e:
        check_lora(tmp_path / "x.safetensors", transformer_config)
    assert e.value.kind == "bad-lora"


# FLUX.1-Kontext-dev transformer/config.json (the published base model's shape).
KONTEXT_CONFIG = {"_class_name": "FluxTransformer2DModel", "attention_head_dim": 128, "axes_dims_rope": [16, 56, 56],
                  "guidance_embeds": True, "in_channels": 64, "joint_attention_dim": 4096, "num_attention_heads": 24,
                  "num_layers": 19, "num_single_layers": 38, "patch_size": 1, "pooled_projection_dim": 768}


def test_the_published_lora_shape_passes_against_the_real_transformer(tmp_path):
    """A header-only file with the published adapter's keys and shapes (rank 512 over the official module list):
    343 modules and 1.854 B parameters, as PUBLISHED-MODEL.md reports for the released file."""
    import importlib.util

    from contextgen_flux.lora_check import linear_shapes

    spec = importlib.util.spec_from_file_location("make_tiny_flux", TINY.parents[1] / "python" / "scripts" /
                                                  "make_tiny_flux.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    shapes = linear_shapes(KONTEXT_CONFIG)
    header, offset = {}, 0
    for m in mod.lora_targets(19, 38):
        fin, fout = shapes[m]
        for ab, shape in (("A", [512, fin]), ("B", [fout, 512])):
            n = shape[0] * shape[1] * 2
            header[f"transformer.{m}.lora_{ab}.weight"] = {"dtype": "BF16", "shape": shape,
                                                          "data_offsets": [offset, offset + n]}
            offset += n
    raw = json.dumps(header).encode()
    (tmp_path / "transformer_10000.safetensors").write_bytes(len(raw).to_bytes(8, "little") + raw)
    facts = check_lora(tmp_path / "transformer_10000.safetensors", KONTEXT_CONFIG)
    assert facts["modules"] == 343 and facts["rank"] == 512
    assert round(facts["parameters"] / 1e9, 3) == 1.854
    with pytest.raises(WorkerError, match="wrong base model"):  # the same LoRA against the tiny transformer
        check_lora(tmp_path / "transformer_10000.safetensors",
                   json.loads((TINY / "diffusers" / "transformer" / "config.json").read_text()))
