"""ONNX export of the text encoder and denoiser (dynamic batch and token counts) into a model folder:
model.json, vocab.json, text_encoder.onnx, denoiser.onnx (CONTRACTS 4).

Uses the TorchScript exporter (dynamo=False): it takes the boolean masks and SDPA as they are. A model
built with attention="flex" is exported through the SDPA path (same weights, same rule).
"""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import numpy as np
import torch

from .configs import ModelConfig
from .dummy import DENOISER_INPUTS, dummy_inputs
from .manifest import FILES, build_manifest
from .model import ContextGenDiT, sdpa_model
from .text_encoder import TextEncoder
from .tokenizer import WordTokenizer

OPSET = 17


def _export(module: torch.nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str],
            axes: dict[str, dict[int, str]]) -> None:
    module = copy.deepcopy(module).float().eval()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, dynamo=False, do_constant_folding=True)


def export_text_encoder(enc: TextEncoder, path: Path) -> None:
    ids = torch.tensor([[2, 3, 4, 5, 0], [2, 6, 0, 0, 0]], dtype=torch.int64)
    _export(enc, (ids,), path, ["ids"], ["emb"], {"ids": {0: "B", 1: "L"}, "emb": {0: "B", 1: "L"}})


def export_denoiser(model: ContextGenDiT, path: Path) -> None:
    ex = dummy_inputs(model.cfg, batch=2, instances=2, seed=0)
    axes = {"txt": {0: "B", 1: "Ntxt"}, "img": {0: "B", 1: "Nimg"}, "pos": {0: "B", 1: "N"}, "t": {0: "B"},
            "out": {0: "B", 1: "Nimg"}}
    axes.update({k: {0: "B", 1: "N"} for k in ("seg", "inst", "cover", "valid")})
    _export(sdpa_model(model), tuple(ex[k] for k in DENOISER_INPUTS), path, list(DENOISER_INPUTS), ["out"], axes)


def write_model_folder(out: str | Path, cfg: ModelConfig, model: ContextGenDiT, enc: TextEncoder,
                       tok: WordTokenizer, name: str, trained: bool, provenance: dict,
                       description: str = "") -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    export_text_encoder(enc, out / FILES["textEncoder"])
    export_denoiser(model, out / FILES["denoiser"])
    tok.save(out / "vocab.json")
    manifest = build_manifest(cfg, name, trained, len(tok), provenance, description)
    (out / "model.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out


def onnx_parity(model: ContextGenDiT, enc: TextEncoder, folder: str | Path, seed: int = 1) -> dict[str, float]:
    """Max abs error PyTorch vs onnxruntime, on inputs of other sizes than the traced ones."""
    import onnxruntime as ort

    folder = Path(folder)
    ex = dummy_inputs(model.cfg, batch=3, instances=3, text_tokens=4, phrase_tokens=1, seed=seed)
    sess = ort.InferenceSession(str(folder / FILES["denoiser"]), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        ref = sdpa_model(model).float().eval()(*(ex[k] for k in DENOISER_INPUTS)).numpy()
    got = sess.run(["out"], {k: ex[k].numpy() for k in DENOISER_INPUTS})[0]
    ids = torch.tensor([[2, 3, 4], [2, 1, 0]], dtype=torch.int64)
    tsess = ort.InferenceSession(str(folder / FILES["textEncoder"]), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        tref = enc.float().eval()(ids).numpy()
    tgot = tsess.run(["emb"], {"ids": ids.numpy()})[0]
    return {"denoiser": float(np.abs(ref - got).max()), "textEncoder": float(np.abs(tref - tgot).max())}


def export_from_checkpoint(model_dir: str | Path, out: str | Path | None = None) -> dict[str, float]:
    """Rebuild a model folder's ONNX files, vocab and model.json from its checkpoint.pt (EMA weights).
    Used after a GPU call, whose ONNX files may exceed the 16 MiB transfer limit."""
    from .checkpoint import load_checkpoint
    from .train import Net

    model_dir = Path(model_dir)
    state = load_checkpoint(model_dir / "checkpoint.pt")
    cfg, tok = ModelConfig.from_dict(state["config"]), WordTokenizer(state["vocab"])
    net = Net(cfg, len(tok))
    net.load_state_dict(state["ema"])
    info = state.get("export", {})
    out = Path(out) if out else model_dir
    write_model_folder(out, cfg, net.denoiser, net.text_encoder, tok, info.get("name", cfg.name),
                       bool(info.get("trained", False)), state.get("provenance", {}), info.get("description", ""))
    return onnx_parity(net.denoiser, net.text_encoder, out)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(prog="python -m contextgen_train.export",
                                 description="Write model.json, vocab.json and the ONNX files from checkpoint.pt")
    ap.add_argument("model_dir", type=Path, help="folder holding checkpoint.pt (or its .partNNN files)")
    ap.add_argument("--out", type=Path, default=None, help="target folder (default: model_dir)")
    a = ap.parse_args()
    print(json.dumps({"parity_max_abs": export_from_checkpoint(a.model_dir, a.out)}))
