"""IMIG-Synth shard format (CONTRACTS 5): reader (and the writer the tests use until the TypeScript
builder exists; both follow the same byte layout)."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class RawSample:
    """One record as stored: uint8 images, header as parsed JSON."""

    header: dict
    target: np.ndarray  # uint8 [S, S, 3]
    layout: np.ndarray  # uint8 [S, S, 3], empty pixels = 128
    refs: list[np.ndarray]  # uint8 [R, R, 4] per instance (alpha = mask)
    visible: list[np.ndarray]  # uint8 [S, S] per instance (0/255)


class ShardReader:
    """Random access to the records of a dataset folder (meta.json + shard-*.bin), memory-mapped."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        meta_path = self.folder / "meta.json"
        if not meta_path.exists():
            raise FileNotFoundError(f"{meta_path} not found: --data must be an IMIG-Synth folder with meta.json "
                                    f"and shard-*.bin (CONTRACTS 5)")
        self.meta = json.loads(meta_path.read_text())
        if self.meta.get("format") != "imig-synth/1":
            raise ValueError(f"{meta_path}: format is {self.meta.get('format')!r}, expected 'imig-synth/1'")
        self.size, self.ref_size = int(self.meta["size"]), int(self.meta["refSize"])
        self._maps: list[np.ndarray] = []
        self._index: list[tuple[int, int]] = []  # (shard, offset)
        self.max_instances = 0
        for si, shard in enumerate(self.meta["shards"]):
            data = np.memmap(self.folder / shard["file"], dtype=np.uint8, mode="r")
            self._maps.append(data)
            off, n = 0, 0
            while off < len(data):
                self._index.append((si, off))
                header = self._header(data, off)
                self.max_instances = max(self.max_instances, len(header["instances"]))
                off += 4 + int(data[off:off + 4].view("<u4")[0]) + self._body_bytes(len(header["instances"]))
                n += 1
            if n != shard["count"]:
                raise ValueError(f"{shard['file']}: holds {n} records but meta.json says {shard['count']}; "
                                 f"the folder is incomplete or mixed, rebuild it")

    def _body_bytes(self, k: int) -> int:
        S, R = self.size, self.ref_size
        return 2 * S * S * 3 + k * (R * R * 4 + S * S)

    @staticmethod
    def _header(data: np.ndarray, off: int) -> dict:
        n = int(data[off:off + 4].view("<u4")[0])
        return json.loads(bytes(data[off + 4:off + 4 + n]).decode("utf-8"))

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, i: int) -> RawSample:
        si, off = self._index[i]
        data = self._maps[si]
        header = self._header(data, off)
        p = off + 4 + int(data[off:off + 4].view("<u4")[0])
        S, R = self.size, self.ref_size

        def take(n: int, shape: tuple[int, ...]) -> np.ndarray:
            nonlocal p
            arr = np.array(data[p:p + n]).reshape(shape)
            p += n
            return arr

        target, layout = take(S * S * 3, (S, S, 3)), take(S * S * 3, (S, S, 3))
        refs, visible = [], []
        for _ in header["instances"]:
            refs.append(take(R * R * 4, (R, R, 4)))
            visible.append(take(S * S, (S, S)))
        return RawSample(header, target, layout, refs, visible)


def write_shards(folder: str | Path, samples: list[RawSample], size: int, ref_size: int, vocab: list[str],
                 per_shard: int = 1000, seed: int = 0) -> None:
    """Write samples in the CONTRACTS 5 layout (tests; the real builder is packages/dataset)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shards = []
    for start in range(0, len(samples), per_shard):
        chunk = samples[start:start + per_shard]
        name = f"shard-{len(shards):05d}.bin"
        with open(folder / name, "wb") as f:
            for s in chunk:
                head = json.dumps(s.header).encode("utf-8")
                f.write(struct.pack("<I", len(head)) + head + s.target.tobytes() + s.layout.tobytes())
                for ref, vis in zip(s.refs, s.visible):
                    f.write(ref.astype(np.uint8).tobytes() + vis.astype(np.uint8).tobytes())
        shards.append({"file": name, "count": len(chunk)})
    meta = {"format": "imig-synth/1", "size": size, "refSize": ref_size, "seed": seed, "split": "train",
            "count": len(samples), "shards": shards, "vocab": vocab, "identities": []}
    (folder / "meta.json").write_text(json.dumps(meta))
