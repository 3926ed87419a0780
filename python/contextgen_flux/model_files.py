"""The model folder kind `flux-kontext-lora` as the worker reads it (spec/WORKER-PROTOCOL.md section 5): model.json,
the diffusers folder, the LoRA file. Reads configs and headers only, never weights."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import WorkerError, bad_input

PROFILES = ("full", "offload", "fp8")
DTYPES = ("bfloat16", "float32")
LORA_NAME = re.compile(r"^transformer_(\d+)\.safetensors$")
# Per component: the config that must exist, and whether weights (*.safetensors) must sit next to it.
COMPONENTS = {
    "transformer": "config.json", "vae": "config.json", "text_encoder": "config.json",
    "text_encoder_2": "config.json", "scheduler": "scheduler_config.json", "tokenizer": None, "tokenizer_2": None,
}
GET_WEIGHTS = ("Download FLUX.1-Kontext-dev (diffusers format, e.g. `hf download black-forest-labs/FLUX.1-Kontext-dev "
               "--local-dir DIR` after accepting its licence) and the ContextGen LoRA, then point model.json's "
               "`flux.diffusers` / `flux.lora` at them.")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    root: Path  # folder holding model.json
    diffusers: Path
    lora_setting: Path  # as written (file or folder), resolved
    dtype: str
    profile: str
    layer_kinds: list[str] | None  # explicit schedule, or None for the official one
    trained: bool


def read_model_json(path: Path) -> ModelSpec:
    path = Path(path)
    if not path.is_file():
        raise WorkerError("missing-files", f"{path}: model.json not found. Pass --model-json with the model "
                                           "folder's model.json.")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise bad_input(f"{path}: not valid JSON ({e}).") from e
    if not isinstance(doc, dict) or doc.get("kind") != "flux-kontext-lora":
        raise bad_input(f"{path}: `kind` must be \"flux-kontext-lora\" for the FLUX worker "
                        f"(got {doc.get('kind') if isinstance(doc, dict) else doc!r}).")
    flux = doc.get("flux")
    if not isinstance(flux, dict):
        raise bad_input(f"{path}: missing the `flux` object ({{\"diffusers\": DIR, \"lora\": FILE_OR_DIR}}).")
    root = path.resolve().parent

    def where(key: str) -> Path:
        v = flux.get(key)
        if not isinstance(v, str) or not v:
            raise bad_input(f"{path}: `flux.{key}` must be a path (relative to the model folder or absolute).")
        return (root / v).resolve()

    dtype = flux.get("dtype", "bfloat16")
    profile = flux.get("profile", "full")
    if dtype not in DTYPES:
        raise bad_input(f"{path}: `flux.dtype` must be one of {', '.join(DTYPES)} (got {dtype!r}).")
    if profile not in PROFILES:
        raise bad_input(f"{path}: `flux.profile` must be one of {', '.join(PROFILES)} (got {profile!r}).")
    kinds = doc.get("layerKinds")
    if kinds is not None and (not isinstance(kinds, list) or any(k not in ("cla", "ica") for k in kinds)):
        raise bad_input(f"{path}: `layerKinds` must be a list of \"cla\" / \"ica\".")
    return ModelSpec(name=str(doc.get("name", root.name)), root=root, diffusers=where("diffusers"),
                     lora_setting=where("lora"), dtype=dtype, profile=profile, layer_kinds=kinds,
                     trained=bool(doc.get("trained", False)))


def pick_lora(setting: Path) -> Path:
    """An explicit file, or the highest `transformer_NNNNN.safetensors` in a folder (the official naming)."""
    if setting.is_file():
        if setting.suffix != ".safetensors":
            raise WorkerError("bad-lora", f"{setting}: the LoRA must be a .safetensors file.")
        return setting
    if setting.is_dir():
        found = [(int(m.group(1)), p) for p in setting.iterdir() if (m := LORA_NAME.match(p.name)) and p.is_file()]
        if not found:
            others = sorted(p.name for p in setting.glob("*.safetensors"))
            hint = f" It holds {', '.join(others)}: name the file in `flux.lora`." if others else ""
            raise WorkerError("missing-files", f"{setting}: no transformer_NNNNN.safetensors LoRA file.{hint} "
                                               + GET_WEIGHTS)
        return max(found)[1]
    raise WorkerError("missing-files", f"{setting}: LoRA file or folder not found. " + GET_WEIGHTS)


def _is_lfs_pointer(p: Path) -> bool:
    if p.stat().st_size > 1024:
        return False
    return p.read_bytes().startswith(b"version https://git-lfs")


def missing_files(diffusers: Path) -> list[str]:
    """Paths that a loadable diffusers FLUX-Kontext folder needs and this one lacks (or holds as LFS pointers)."""
    if not diffusers.is_dir():
        return [str(diffusers)]
    out = []
    if not (diffusers / "model_index.json").is_file():
        out.append(str(diffusers / "model_index.json"))
    for comp, config in COMPONENTS.items():
        d = diffusers / comp
        if not d.is_dir() or not any(d.iterdir()):
            out.append(str(d) + "/")
            continue
        if config and not (d / config).is_file():
            out.append(str(d / config))
        if comp in ("transformer", "vae", "text_encoder", "text_encoder_2"):
            weights = list(d.glob("*.safetensors"))
            if not weights:
                out.append(str(d / "*.safetensors"))
            out += [f"{w} (a git-lfs pointer, not the weights: run `git lfs pull`)" for w in weights
                    if _is_lfs_pointer(w)]
            index = next(iter(d.glob("*.safetensors.index.json")), None)
            if index is not None:
                try:
                    shards = set(json.loads(index.read_text())["weight_map"].values())
                except (ValueError, KeyError):
                    shards = set()
                out += [str(d / s) for s in sorted(shards) if not (d / s).is_file()]
    return out


def check_files(spec: ModelSpec) -> Path:
    """Raise `missing-files` naming every absent path; return the LoRA file."""
    missing = missing_files(spec.diffusers)
    if missing:
        raise WorkerError("missing-files", f"the diffusers folder {spec.diffusers} is incomplete; missing: "
                                           f"{', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}. "
                                           + GET_WEIGHTS)
    return pick_lora(spec.lora_setting)


def official_layer_kinds(n_double: int, n_single: int) -> list[str]:
    """All double blocks CLA; single blocks first half ICA, second half CLA (official transformer_flux.py)."""
    return ["cla"] * n_double + ["ica" if i < n_single // 2 else "cla" for i in range(n_single)]


def layer_kinds(spec: ModelSpec, n_double: int, n_single: int) -> list[str]:
    if spec.layer_kinds is None:
        return official_layer_kinds(n_double, n_single)
    if len(spec.layer_kinds) != n_double + n_single:
        raise bad_input(f"model.json `layerKinds` has {len(spec.layer_kinds)} entries; the transformer has "
                        f"{n_double} double + {n_single} single blocks = {n_double + n_single}.")
    return list(spec.layer_kinds)
