"""Static shapes for torch.compile with little padding: per-sample token counts (cheap, from the raw
record), bucket edges fitted to their distribution, and length-grouped batch order.

A batch padded to a bucket `(Ntxt edge, Nimg edge)` has tensors whose shapes depend only on the bucket
(`data.collate(buckets=...)`), so a compiled step compiles once per bucket and never again. Grouping
samples of similar length into the same batch (sort a window of G batches' samples by length, cut it
into G batches, shuffle their order) keeps the padding to a few per cent.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .configs import ModelConfig
from .plan import choose_ref_grid
from .shards import RawSample
from .tokenizer import WordTokenizer


def sample_lengths(raw: RawSample, cfg: ModelConfig, tok: WordTokenizer) -> tuple[int, int]:
    """(Ntxt, Nimg) of `data.process` + `collate` for this record without condition dropout, computed
    from the header and the references' masks only (no resizing, no patches)."""
    lim, P, S = cfg.limits, cfg.token_size, raw.target.shape[0]
    insts = raw.header["instances"][: lim.maxInstances]
    n_txt = len(tok.encode(raw.header.get("caption", ""), lim.maxTextTokens))
    n_txt += sum(len(tok.encode(i.get("phrase") or i.get("name") or "", lim.maxPhraseTokens)) for i in insts)
    n_img = 2 * (S // P) ** 2
    for ref in raw.refs[: len(insts)]:
        inside = ref[..., 3] > 0
        if inside.any():
            ys, xs = np.nonzero(inside)
            h, w = choose_ref_grid(int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1), P, lim.refArea,
                                   lim.refMaxSide)
            n_img += h * w
    return n_txt, n_img


def dataset_lengths(source, cfg: ModelConfig, tok: WordTokenizer, cache: Path | None = None) -> np.ndarray:
    """int64 [len(source), 2] of (Ntxt, Nimg); cached in `cache` (keyed by the config and vocabulary) when given."""
    key = hashlib.sha256(json.dumps([cfg.to_dict(), tok.tokens, len(source)], default=str).encode()).hexdigest()[:16]
    if cache is not None:
        path = Path(cache) / f"lengths-{cfg.name}-{key}.npy"
        if path.exists():
            return np.load(path)
    out = np.array([sample_lengths(source[i], cfg, tok) for i in range(len(source))], dtype=np.int64).reshape(-1, 2)
    if cache is not None:
        try:
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, out)
            tmp.replace(path)
        except OSError:  # a read-only data folder: recompute next time
            pass
    return out


@dataclass(frozen=True)
class Buckets:
    """Allowed padded lengths; a batch takes the smallest edge >= what it needs on each axis."""

    txt: tuple[int, ...]
    img: tuple[int, ...]

    def fit(self, n_txt: int, n_img: int) -> tuple[int, int]:
        i, j = bisect.bisect_left(self.txt, n_txt), bisect.bisect_left(self.img, n_img)
        if i == len(self.txt) or j == len(self.img):
            raise ValueError(f"a batch needs {n_txt} text and {n_img} image tokens, beyond the largest bucket "
                             f"({self.txt[-1]}, {self.img[-1]}); fit the buckets on this dataset (fit_buckets)")
        return self.txt[i], self.img[j]

    @property
    def shapes(self) -> int:
        return len(self.txt) * len(self.img)


def _edges(values: np.ndarray, k: int, multiple: int) -> tuple[int, ...]:
    qs = np.quantile(values, [(i + 1) / k for i in range(k)], method="higher")
    return tuple(sorted({int(-(-int(q) // multiple) * multiple) for q in qs}))


def fit_buckets(lengths: np.ndarray, k_txt: int = 2, k_img: int = 3, multiple: int = 16) -> Buckets:
    """Edges at the quantiles of per-sample (Ntxt, Nimg), rounded up to `multiple` (aligned kernels);
    the last edge holds the longest sample. k_txt * k_img shapes at most, so as many compilations."""
    if len(lengths) == 0:
        raise ValueError("no samples to fit buckets on")
    return Buckets(_edges(lengths[:, 0], k_txt, multiple), _edges(lengths[:, 1], k_img, multiple))


def group_order(lengths: np.ndarray, batch: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Rows of `lengths` (one window of samples) -> batches of similar length, in a random order.
    Sorted by image tokens, then text tokens (stable), cut into consecutive batches."""
    order = np.lexsort((lengths[:, 0], lengths[:, 1]))
    groups = [order[i:i + batch] for i in range(0, len(order), batch)]
    return [groups[i] for i in rng.permutation(len(groups))]


def padding_fraction(real: np.ndarray, padded: tuple[int, int]) -> float:
    """Share of PAD tokens in a batch: real [B, 2] (Ntxt, Nimg) per sample, padded (Ntxt, Nimg)."""
    total = len(real) * (padded[0] + padded[1])
    return 1 - float(real.sum()) / total
