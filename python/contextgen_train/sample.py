"""Euler sampling in Python from an exported model folder (onnxruntime), on dataset samples.

Used to check a trained model without the TypeScript runtime (the GPU machine has no Node) and to
cross-check the TypeScript pipeline: both must produce the same images from the same inputs.

    python -m contextgen_train.sample MODEL_DIR DATA_DIR --count 4 --out grid.ppm
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from .data import collate, process
from .manifest import FILES
from .noise import gaussian_noise
from .patches import unpatchify
from .shards import ShardReader
from .tokenizer import WordTokenizer
from .configs import get_config


def timesteps(steps: int, n_main: int, shift: dict) -> list[float]:
    """DESIGN 5 / CONTRACTS 4: shifted schedule from 1 to 0 (steps + 1 values)."""
    mu = shift["baseShift"] + (shift["maxShift"] - shift["baseShift"]) * (n_main - shift["baseTokens"]) / (
        shift["maxTokens"] - shift["baseTokens"])
    out = []
    for i in range(steps + 1):
        t = 1 - i / steps
        out.append(0.0 if t <= 0 else (1.0 if t >= 1 else math.exp(mu) / (math.exp(mu) + (1 / t - 1))))
    return out


class OnnxModel:
    def __init__(self, folder: str | Path):
        import json

        self.folder = Path(folder)
        self.manifest = json.loads((self.folder / "model.json").read_text())
        arch = self.manifest["architecture"]
        self.cfg = get_config(arch["config"])
        if self.cfg.hidden != arch["hidden"] or self.cfg.depth_single != arch["depth_single"]:
            raise ValueError(f"{folder}: model.json architecture {arch} does not match config '{arch['config']}'")
        self.tok = WordTokenizer.load(self.folder / "vocab.json")
        so = ort.SessionOptions()
        self.den = ort.InferenceSession(str(self.folder / FILES["denoiser"]), so, providers=["CPUExecutionProvider"])
        self.enc = ort.InferenceSession(str(self.folder / FILES["textEncoder"]), so, providers=["CPUExecutionProvider"])

    def text(self, prompt_ids: np.ndarray, phrase_ids: np.ndarray, txt_index: np.ndarray) -> np.ndarray:
        rows = [self.enc.run(["emb"], {"ids": prompt_ids})[0].reshape(-1, self.cfg.text_dim)]
        if phrase_ids.shape[0]:
            rows.append(self.enc.run(["emb"], {"ids": phrase_ids})[0].reshape(-1, self.cfg.text_dim))
        rows.append(np.zeros((1, self.cfg.text_dim), np.float32))
        return np.concatenate(rows)[txt_index]

    def inputs(self, raw) -> tuple:
        """The trainer's denoiser inputs for one record (no condition dropout, no padding):
        (example, batch, feeds), feeds holding txt and the int64 descriptors (img and t vary per step)."""
        ex = process(raw, self.cfg, self.tok)
        b = collate([ex], self.cfg, [False])
        txt = self.text(b.prompt_ids.numpy(), b.phrase_ids.numpy(), b.txt_index.numpy()).astype(np.float32)
        feeds = {"txt": txt, **{k: getattr(b, k).numpy() for k in ("pos", "seg", "inst", "cover", "valid")}}
        return ex, b, feeds

    def euler(self, feeds: dict, img: np.ndarray, x: np.ndarray, ts: list[float]) -> np.ndarray:
        """Euler steps over `ts` from the latent x [B, Nmain, Pd]; img holds the context rows after Nmain."""
        img, n = img.copy(), x.shape[1]
        for t, t_next in zip(ts[:-1], ts[1:]):
            img[:, :n] = x
            v = self.den.run(["out"], {**feeds, "img": img, "t": np.array([t], np.float32)})[0][:, :n]
            x = x + (t_next - t) * v
        return x

    def sample(self, raw, seed: int = 0, steps: int | None = None, noise: np.ndarray | None = None,
               latent: bool = False) -> np.ndarray:
        """One dataset sample -> generated uint8 [S, S, 3] (guidance 1: the conditional branch only).
        noise: the initial latent [1, Nmain, P*P*3] (default: `gaussian_noise(seed)`, the bits
        `contextgen generate --seed` draws, so the same seed gives the same picture on both sides);
        latent: return the final latent (model space, patch layout) instead of the image."""
        ex, b, feeds = self.inputs(raw)
        steps = steps or self.manifest["sampling"]["steps"]
        img = b.img.numpy().copy()
        n = b.n_main
        if noise is None:
            noise = gaussian_noise(seed, img[:, :n].size)
        x = np.asarray(noise, np.float32).reshape(img[:, :n].shape)
        ts = timesteps(steps, n, self.manifest["sampling"]["shift"])
        x = self.euler(feeds, img, x, ts)
        if latent:
            return x
        S, P = ex.size, self.cfg.token_size
        out = unpatchify(torch.from_numpy(x), S // P, S // P, P)[0].numpy()
        return np.clip((out + 1) * 127.5 + 0.5, 0, 255).astype(np.uint8)


def write_ppm(path: str | Path, rgb: np.ndarray) -> None:
    h, w, _ = rgb.shape
    Path(path).write_bytes(f"P6 {w} {h} 255\n".encode() + rgb.tobytes())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path)
    ap.add_argument("data", type=Path)
    ap.add_argument("--count", type=int, default=4)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--out", type=Path, default=Path("samples.ppm"))
    a = ap.parse_args(argv)
    m, data = OnnxModel(a.model), ShardReader(a.data)
    rows = []
    for i in range(min(a.count, len(data))):
        raw = data[i]
        gen = m.sample(raw, seed=i, steps=a.steps)
        rows.append(np.concatenate([raw.target, raw.layout, gen], 1))
    write_ppm(a.out, np.concatenate(rows, 0))
    print(f"wrote {a.out}: rows of target | layout | generated")


if __name__ == "__main__":
    main()
