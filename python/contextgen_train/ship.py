"""Turn a GPU call's checkpoint into a shippable model folder (CONTRACTS 4) plus a slim resume checkpoint.

    python -m contextgen_train.ship RUN_DIR --out models/embedded --weights ema [--trained] [--name NAME]

RUN_DIR holds checkpoint.pt (or its parts) written by gpu_run. `--weights` picks which weights to export:
`ema` (the EMA of the last stage: after DPO when the call reached it), `ref` (the frozen SFT EMA that DPO
started from: the before-DPO model), or `net` (the raw last weights). The slim checkpoint written beside the
ONNX files holds only those weights (bf16, stored once), so the folder stays small enough to travel to the
GPU machine; gpu_run resumes from it with a fresh AdamW (warm-up again) in the SFT stage.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from .checkpoint import load_checkpoint, save_checkpoint
from .configs import ModelConfig
from .export import onnx_parity, write_model_folder
from .tokenizer import WordTokenizer
from .train import Net

WEIGHTS = ("ema", "ref", "net")


def slim_state(state: dict, weights: str) -> dict:
    """Resume state holding one set of weights (as both `net` and `ema`), SFT stage, no optimizer."""
    chosen = state[weights]
    if chosen is None:
        raise ValueError(f"the checkpoint has no '{weights}' weights (a 'ref' set exists only after DPO started); "
                         f"choose one of {[w for w in WEIGHTS if state.get(w) is not None]}")
    bf16 = {k: v.to(torch.bfloat16) if v.dtype == torch.float32 else v for k, v in chosen.items()}
    return {**{k: state[k] for k in ("config", "train_config", "rng", "vocab", "provenance")},
            "export": state.get("export", {}), "stage": "sft", "step": state["step"], "stage_start": state["step"],
            "lr_start": state["step"], "net": bf16, "ema": bf16, "ref": None, "optimizer": None}


def ship(run_dir: str | Path, out: str | Path, weights: str = "ema", trained: bool = True, name: str | None = None,
         description: str | None = None, extra_provenance: dict | None = None) -> dict:
    if weights not in WEIGHTS:
        raise ValueError(f"--weights must be one of {WEIGHTS}, got {weights!r}")
    state = load_checkpoint(Path(run_dir) / "checkpoint.pt")
    slim = slim_state(state, weights)
    cfg, tok = ModelConfig.from_dict(state["config"]), WordTokenizer(state["vocab"])
    net = Net(cfg, len(tok))
    net.load_state_dict({k: v.float() for k, v in slim["ema"].items()})
    info = state.get("export", {})
    prov = {**state.get("provenance", {}), "weights": weights, **(extra_provenance or {})}
    out = Path(out)
    write_model_folder(out, cfg, net.denoiser, net.text_encoder, tok, name or info.get("name", cfg.name), trained,
                       prov, description if description is not None else info.get("description", ""))
    slim["provenance"] = prov
    files = save_checkpoint(slim, out / "checkpoint.pt", compact=False)
    return {"parity_max_abs": onnx_parity(net.denoiser, net.text_encoder, out),
            "checkpoint_bytes": sum(f.stat().st_size for f in files)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m contextgen_train.ship", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--weights", default="ema", choices=WEIGHTS)
    ap.add_argument("--trained", action=argparse.BooleanOptionalAction, default=True,
                    help="model.json 'trained' flag (--no-trained for runs too short to count as a model)")
    ap.add_argument("--name", default=None)
    ap.add_argument("--description", default=None)
    a = ap.parse_args(argv)
    print(json.dumps(ship(a.run_dir, a.out, a.weights, a.trained, a.name, a.description)))


if __name__ == "__main__":
    main()
