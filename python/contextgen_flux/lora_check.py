"""Check a LoRA file against the transformer before loading it: every key names a Linear of the transformer and
has that Linear's shapes. Reads the safetensors header only; the model is built on the meta device (no memory)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import WorkerError

KEY = re.compile(r"^transformer\.(.+)\.lora_([AB])\.weight$")


def linear_shapes(transformer_config: dict) -> dict[str, tuple[int, int]]:
    """module name -> (in_features, out_features) of every nn.Linear of FluxTransformer2DModel(config)."""
    import torch
    from diffusers import FluxTransformer2DModel

    cfg = {k: v for k, v in transformer_config.items() if not k.startswith("_")}
    with torch.device("meta"):
        model = FluxTransformer2DModel.from_config(cfg)
    return {n: (m.in_features, m.out_features) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}


def read_header(path: Path) -> dict[str, list[int]]:
    """safetensors header: tensor name -> shape (no tensor data read)."""
    try:
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            if n <= 0 or n > 100_000_000:
                raise ValueError(f"header length {n}")
            head = json.loads(f.read(n))
    except (OSError, ValueError) as e:
        raise WorkerError("bad-lora", f"{path}: not a readable safetensors file ({e}). Re-download the LoRA.") from e
    return {k: v["shape"] for k, v in head.items() if k != "__metadata__"}


def check_lora(path: Path, transformer_config: dict) -> dict:
    """Raise `bad-lora` with the first problem; return facts {modules, rank, parameters}."""
    shapes = read_header(path)
    linears = linear_shapes(transformer_config)
    pairs: dict[str, dict[str, list[int]]] = {}
    for key, shape in shapes.items():
        m = KEY.match(key)
        if not m:
            raise WorkerError("bad-lora", f"{path}: key {key!r} is not a transformer LoRA weight "
                                          "(`transformer.<module>.lora_A.weight` / `lora_B.weight`); this is not a "
                                          "ContextGen FLUX LoRA.")
        pairs.setdefault(m.group(1), {})[m.group(2)] = shape
    if not pairs:
        raise WorkerError("bad-lora", f"{path}: holds no LoRA weights.")
    ranks = set()
    params = 0
    for mod, ab in sorted(pairs.items()):
        if mod not in linears:
            raise WorkerError("bad-lora", f"{path}: module {mod!r} is not a Linear of this transformer (wrong base "
                                          "model for this LoRA?).")
        if set(ab) != {"A", "B"}:
            raise WorkerError("bad-lora", f"{path}: module {mod!r} lacks lora_{'B' if 'A' in ab else 'A'}.")
        fin, fout = linears[mod]
        a, b = ab["A"], ab["B"]
        if len(a) != 2 or len(b) != 2 or a[1] != fin or b[0] != fout or a[0] != b[1]:
            raise WorkerError("bad-lora", f"{path}: {mod} has lora_A {a} / lora_B {b}; this transformer needs "
                                          f"lora_A [r, {fin}] and lora_B [{fout}, r] (wrong base model or a damaged "
                                          "file).")
        ranks.add(a[0])
        params += a[0] * (fin + fout)
    return {"modules": len(pairs), "rank": max(ranks), "parameters": params}
