"""Checkpoint files: one torch.save blob, optionally compacted to bf16, split into parts under the
16 MiB transfer limit (`checkpoint.pt.part000`, ...) and joined on load."""

from __future__ import annotations

import io
from pathlib import Path

import torch

PART_BYTES = 15 * 1024 * 1024 - 4096


def _cast(obj, src: torch.dtype, dst: torch.dtype):
    if isinstance(obj, torch.Tensor):
        return obj.to(dst) if obj.dtype == src else obj
    if isinstance(obj, dict):
        return {k: _cast(v, src, dst) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_cast(v, src, dst) for v in obj)
    return obj


def _parts(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".part*"))


def save_checkpoint(state: dict, path: str | Path, compact: bool = False, split: bool = True) -> list[Path]:
    """compact=True stores float32 tensors as bf16 (about half the bytes; resume is then near-exact).
    Returns the files written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    torch.save(_cast(state, torch.float32, torch.bfloat16) if compact else state, buf)
    data = buf.getvalue()
    for old in _parts(path) + ([path] if path.exists() else []):
        old.unlink()
    if not split or len(data) <= PART_BYTES:
        path.write_bytes(data)
        return [path]
    out = []
    for i in range(0, len(data), PART_BYTES):
        p = path.with_name(f"{path.name}.part{i // PART_BYTES:03d}")
        p.write_bytes(data[i:i + PART_BYTES])
        out.append(p)
    return out


def checkpoint_exists(path: str | Path) -> bool:
    path = Path(path)
    return path.exists() or bool(_parts(path))


def load_checkpoint(path: str | Path) -> dict:
    """Loads `path` or joins its parts; bf16 tensors come back as float32."""
    path = Path(path)
    if path.exists():
        data = path.read_bytes()
    elif parts := _parts(path):
        data = b"".join(p.read_bytes() for p in parts)
    else:
        raise FileNotFoundError(f"no checkpoint at {path} (nor {path.name}.part000...): pass a model folder "
                                f"written by gpu_run or train, or start from scratch without --resume-from")
    state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=False)
    return _cast(state, torch.bfloat16, torch.float32)
