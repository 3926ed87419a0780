"""model.json (CONTRACTS 4): the manifest that the TypeScript runtime reads."""

from __future__ import annotations

import dataclasses

from .configs import ModelConfig

FORMAT = "contextgen-model/1"
FILES = {"textEncoder": "text_encoder.onnx", "denoiser": "denoiser.onnx"}


def io_spec(cfg: ModelConfig) -> dict:
    f32 = lambda *s: {"dtype": "float32", "shape": list(s)}  # noqa: E731
    i64 = lambda *s: {"dtype": "int64", "shape": list(s)}  # noqa: E731
    Pd = cfg.patch_dim
    return {
        "textEncoder": {"inputs": {"ids": i64("B", "L")}, "outputs": {"emb": f32("B", "L", cfg.text_dim)}},
        "denoiser": {
            "inputs": {"txt": f32("B", "Ntxt", cfg.text_dim), "img": f32("B", "Nimg", Pd), "pos": i64("B", "N", 3),
                       "seg": i64("B", "N"), "inst": i64("B", "N"), "cover": i64("B", "N"), "valid": i64("B", "N"),
                       "t": f32("B")},
            "outputs": {"out": f32("B", "Nimg", Pd)},
        },
    }


def build_manifest(cfg: ModelConfig, name: str, trained: bool, vocab_size: int, provenance: dict,
                   description: str = "", benchmarks: dict | None = None) -> dict:
    arch = cfg.to_dict()
    for k in ("limits", "sampling", "layer_kinds", "name"):
        arch.pop(k)
    arch.update(config=cfg.name, vocabSize=vocab_size, attention="sdpa-bool-mask", rope="3-axis real cos/sin")
    return {
        "format": FORMAT, "name": name, "trained": trained, "description": description,
        "tokenSize": cfg.token_size, "channels": cfg.channels, "pixelRange": [-1, 1],
        "limits": dataclasses.asdict(cfg.limits),
        "layerKinds": list(cfg.kinds),
        "architecture": arch,
        "tokenizer": {"kind": "word", "vocab": "vocab.json", "maxLength": cfg.limits.maxTextTokens},
        "sampling": dataclasses.asdict(cfg.sampling),
        "files": dict(FILES),
        "io": io_spec(cfg),
        "provenance": {"dataSeed": 0, "dataSamples": 0, "steps": 0, "wallSeconds": 0, "hardware": "none", **provenance},
        "benchmarks": benchmarks or {},
    }
