"""Reads the pairs `bench ident-pairs` writes (DIR/pairs.bin + DIR/pairs.json) and augments them."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .model import CHANNELS, SIDE

PLANE = CHANNELS * SIDE * SIDE
RECORD = 3 + 2 * PLANE
POSITIVE_KINDS = ("genuine", "layout")


@dataclass
class Pairs:
    kinds: list[str]
    kind: np.ndarray  # (N,) uint8 index into kinds
    identity: np.ndarray  # (N,) int
    reference: np.ndarray  # (N, 4, 32, 32) uint8
    crop: np.ndarray  # (N, 4, 32, 32) uint8
    meta: dict

    @property
    def label(self) -> np.ndarray:
        pos = [i for i, k in enumerate(self.kinds) if k in POSITIVE_KINDS]
        return np.isin(self.kind, pos).astype(np.float32)

    def subset(self, idx: np.ndarray) -> "Pairs":
        return Pairs(self.kinds, self.kind[idx], self.identity[idx], self.reference[idx], self.crop[idx], self.meta)


def load_pairs(folder: str | Path) -> Pairs:
    folder = Path(folder)
    meta_path = folder / "pairs.json"
    if not meta_path.exists():
        raise FileNotFoundError(f"{meta_path} not found; export pairs first: npx tsx packages/bench/src/main.ts ident-pairs --out {folder}")
    meta = json.loads(meta_path.read_text())
    if meta.get("format") != "contextgen-ident-pairs/1" or meta["record"]["bytes"] != RECORD:
        raise ValueError(f"{meta_path} is not a contextgen-ident-pairs/1 export with {RECORD}-byte records; re-export it")
    records = int(meta["records"])
    raw = np.fromfile(folder / "pairs.bin", dtype=np.uint8, count=records * RECORD)
    if raw.size < records * RECORD:
        raise ValueError(f"{folder / 'pairs.bin'} is truncated ({raw.size} bytes, {records} records of {RECORD} "
                         "listed in pairs.json); re-export it")
    raw = raw.reshape(-1, RECORD)
    return Pairs(
        kinds=list(meta["kinds"]),
        kind=raw[:, 0].copy(),
        identity=raw[:, 1].astype(np.int64) | (raw[:, 2].astype(np.int64) << 8),
        reference=raw[:, 3:3 + PLANE].reshape(-1, CHANNELS, SIDE, SIDE).copy(),
        crop=raw[:, 3 + PLANE:].reshape(-1, CHANNELS, SIDE, SIDE).copy(),
        meta=meta,
    )


def concat_pairs(parts: list[Pairs]) -> Pairs:
    """Several exports (e.g. sample ranges exported side by side) as one, kinds matched by name.
    Records that repeat an earlier one byte for byte (overlapping ranges) are dropped."""
    if not parts:
        raise ValueError("no pair exports given")
    if len(parts) == 1:
        return parts[0]
    kinds = list(dict.fromkeys(k for p in parts for k in p.kinds))  # union, first-seen order
    remap = [np.asarray([kinds.index(k) for k in p.kinds], dtype=np.uint8) for p in parts]
    cat = np.concatenate
    allp = Pairs(kinds, cat([m[p.kind] for m, p in zip(remap, parts)]), cat([p.identity for p in parts]),
                 cat([p.reference for p in parts]), cat([p.crop for p in parts]), {})
    seen: set[bytes] = set()
    keep = []
    for i in range(len(allp.kind)):
        key = hashlib.sha1(bytes([allp.kind[i]]) + allp.reference[i].tobytes() + allp.crop[i].tobytes()).digest()
        if key not in seen:
            seen.add(key)
            keep.append(i)
    out = allp.subset(np.asarray(keep, dtype=np.int64))
    out.meta = {"exports": [p.meta for p in parts], "records": len(keep),
                "duplicatesDropped": len(allp.kind) - len(keep)}
    return out


def to_tensor(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(x.astype(np.float32) / 255.0)


def _blur(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Per-sample Gaussian blur of the RGB planes (N, 3, H, W), sigma (N,) in pixels."""
    r = 5
    t = torch.arange(-r, r + 1, dtype=x.dtype)
    k = torch.exp(-0.5 * (t[None, :] / sigma[:, None]) ** 2)
    k = k / k.sum(dim=1, keepdim=True)  # (N, 2r+1)
    n, c, h, w = x.shape
    y = x.reshape(1, n * c, h, w)
    kh = k.repeat_interleave(c, 0)[:, None, None, :]
    y = F.conv2d(F.pad(y, (r, r, 0, 0), mode="replicate"), kh, groups=n * c)
    y = F.conv2d(F.pad(y, (0, 0, r, r), mode="replicate"), kh.transpose(2, 3), groups=n * c)
    return y.reshape(n, c, h, w)


def augment_crop(crop: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Light and placement changes the renderer and the localiser make, applied to the crop side of
    every pair alike (so they cannot tell genuine from not): per-channel gain and brightness, a shift
    of up to 1 px, pixel noise, and an occluding rectangle in a third of the pairs."""
    n = crop.shape[0]
    rgb, mask = crop[:, :3], crop[:, 3:4]
    gain = 1 + 0.15 * (2 * torch.rand(n, 3, 1, 1, generator=gen) - 1)
    gain = gain * (1 + 0.15 * (2 * torch.rand(n, 1, 1, 1, generator=gen) - 1))
    rgb = rgb * gain
    dx, dy = torch.randint(-1, 2, (2,), generator=gen).tolist()
    rgb = torch.roll(rgb, shifts=(dy, dx), dims=(2, 3))
    rgb = rgb + (3 / 255) * torch.rand(n, 1, 1, 1, generator=gen) * torch.randn(rgb.shape, generator=gen)
    occ = torch.rand(n, generator=gen) < 0.33
    if occ.any():
        for i in torch.nonzero(occ).flatten().tolist():
            w, h = torch.randint(4, 13, (2,), generator=gen).tolist()
            x, y = torch.randint(0, SIDE - 4, (2,), generator=gen).tolist()
            rgb[i, :, y:y + h, x:x + w] = torch.rand(3, 1, 1, generator=gen)
    return torch.cat([rgb.clamp(0, 1) * mask, mask], dim=1)


def texture_negatives(ref: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Crops with nothing of the reference in them, under the reference's mask: pixel noise
    (slightly smoothed, like noise resampled by the localiser) for half, one flat colour for the
    other half (the bench's noise and blank images)."""
    n = ref.shape[0]
    mask = ref[:, 3:4]
    noise = _blur(torch.rand(n, 3, SIDE, SIDE, generator=gen), 0.3 + 0.7 * torch.rand(n, generator=gen))
    flat = torch.rand(n, 3, 1, 1, generator=gen).expand(n, 3, SIDE, SIDE)
    pick = (torch.arange(n) % 2 == 0)[:, None, None, None]
    return torch.cat([torch.where(pick, noise, flat) * mask, mask], dim=1)


def blurred_negatives(crop: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Genuine crops blurred in the crop frame (sigma 1-3 px): right colours, no detail."""
    sigma = 1 + 2 * torch.rand(crop.shape[0], generator=gen)
    mask = crop[:, 3:4]
    return torch.cat([_blur(crop[:, :3], sigma) * mask, mask], dim=1)
