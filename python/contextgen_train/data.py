"""Training tensors from raw samples: process one sample (patches, reference grids, token ids), collate
a batch (token plan per sample, PAD tokens (seg 5) up to the longest in the batch), and a step-indexed
batch source whose order depends only on (seed, step), so resuming needs no loader state."""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields

import numpy as np
import torch

from .buckets import Buckets, group_order
from .configs import ModelConfig
from .masks import PAD
from .patches import layout_to_model_space, patchify, to_model_space
from .plan import token_plan
from .references import RefTokens, reference_tokens
from .shards import RawSample
from .tokenizer import BOS, WordTokenizer


@dataclass(frozen=True)
class Example:
    size: int
    target: np.ndarray  # float32 [Nm, Pd]
    layout: np.ndarray  # float32 [Nm, Pd]
    refs: list[RefTokens | None]
    boxes: list[tuple[float, float, float, float]]
    prompt_ids: list[int]
    phrase_ids: list[list[int]]


@dataclass
class Batch:
    prompt_ids: torch.Tensor  # int64 [B, Lp]
    phrase_ids: torch.Tensor  # int64 [Q, Lph]
    txt_index: torch.Tensor  # int64 [B, Ntxt] rows of cat(prompt emb, phrase emb, zero row)
    img: torch.Tensor  # float32 [B, Nimg, Pd]; main rows hold x0, the trainer overwrites them with x_t
    pos: torch.Tensor  # int64 [B, N, 3]
    seg: torch.Tensor  # int64 [B, N]
    inst: torch.Tensor
    cover: torch.Tensor
    valid: torch.Tensor
    n_main: int

    def to(self, device: torch.device | str) -> "Batch":
        return Batch(**{f.name: (v.to(device, non_blocking=True) if isinstance(v := getattr(self, f.name), torch.Tensor)
                                 else v) for f in fields(self)})

    @property
    def x0(self) -> torch.Tensor:
        return self.img[:, : self.n_main]  # [B, Nm, Pd]

    @property
    def layout(self) -> torch.Tensor:
        return self.img[:, self.n_main: 2 * self.n_main]  # [B, Nm, Pd]


def process(raw: RawSample, cfg: ModelConfig, tok: WordTokenizer) -> Example:
    S, P, lim = raw.target.shape[0], cfg.token_size, cfg.limits
    if raw.target.shape[:2] != (S, S) or S % P:
        raise ValueError(f"sample {raw.header.get('id')}: target {raw.target.shape} must be square with a side "
                         f"that is a multiple of the token size {P}")
    insts = raw.header["instances"][: lim.maxInstances]
    return Example(
        size=S,
        target=patchify(to_model_space(raw.target), P),
        layout=patchify(layout_to_model_space(raw.layout), P),
        refs=[reference_tokens(r, P, lim.refArea, lim.refMaxSide) for r in raw.refs[: len(insts)]],
        boxes=[tuple(float(v) for v in i["box"]) for i in insts],
        prompt_ids=tok.encode(raw.header.get("caption", ""), lim.maxTextTokens),
        phrase_ids=[tok.encode(i.get("phrase") or i.get("name") or "", lim.maxPhraseTokens) for i in insts],
    )


def collate(examples: list[Example], cfg: ModelConfig, drop: list[bool], pad_multiple: int = 1,
            fixed: tuple[int, int] | None = None, buckets: Buckets | None = None) -> Batch:
    """drop[i]: condition dropout for sample i (prompt -> [<bos>], no phrases; layout and refs kept).
    pad_multiple: round the sequence length N up with PAD tokens (aligned attention kernels on GPU).
    fixed: (Ntxt, Nimg) to pad every batch to; buckets: pad to the smallest bucket that fits. Both give
    static shapes for torch.compile: the text ids are then padded to the config's limits too (prompts to
    maxTextTokens, B * maxInstances phrase rows of maxPhraseTokens, spare rows holding <bos>), so every
    tensor's shape depends on (B, Ntxt, Nimg) only."""
    sizes = {e.size for e in examples}
    if len(sizes) != 1:
        raise ValueError(f"a batch must share one image size, got {sorted(sizes)}; resize samples to one side")
    S, P, B = sizes.pop(), cfg.token_size, len(examples)
    prompts = [[BOS] if d else e.prompt_ids for e, d in zip(examples, drop)]
    phrases = [[] if d else e.phrase_ids for e, d in zip(examples, drop)]
    plans = [token_plan(S, S, P, len(pr), [len(p) for p in ph] or [0] * len(e.boxes), e.boxes,
                         [r.grid if r else None for r in e.refs])
             for e, pr, ph in zip(examples, prompts, phrases)]
    n_txt, n_img = max(p.n_txt for p in plans), max(p.n_img for p in plans)
    static = fixed is not None or buckets is not None
    if buckets is not None:
        n_txt, n_img = buckets.fit(n_txt, n_img)
    if fixed is not None:
        if n_txt > fixed[0] or n_img > fixed[1]:
            raise ValueError(f"batch needs {n_txt} text and {n_img} image tokens, more than the fixed {fixed}")
        n_txt, n_img = fixed
    n_img += -(n_txt + n_img) % pad_multiple
    N, Pd = n_txt + n_img, cfg.patch_dim
    flat_phr = [p for ph in phrases for p in ph]
    Lp, Lph, Q = max(map(len, prompts)), max(map(len, flat_phr), default=1), len(flat_phr)
    if static:
        lim = cfg.limits
        Lp, Lph, Q = max(Lp, lim.maxTextTokens), max(Lph, lim.maxPhraseTokens), max(Q, B * lim.maxInstances)
    prompt_ids = torch.zeros(B, Lp, dtype=torch.int64)
    phrase_ids = torch.zeros(Q, Lph, dtype=torch.int64)
    phrase_ids[len(flat_phr):, 0] = BOS  # spare rows: a valid sequence (an all-pad row would give NaN attention)
    zero_row = B * Lp + Q * Lph
    txt_index = torch.full((B, n_txt), zero_row, dtype=torch.int64)
    img = torch.zeros(B, n_img, Pd)
    pos = torch.zeros(B, N, 3, dtype=torch.int64)
    seg = torch.full((B, N), PAD, dtype=torch.int64)
    inst = torch.full((B, N), -1, dtype=torch.int64)
    cover, valid = torch.zeros(B, N, dtype=torch.int64), torch.zeros(B, N, dtype=torch.int64)
    q = 0
    for b, (e, plan, pr, ph) in enumerate(zip(examples, plans, prompts, phrases)):
        prompt_ids[b, : len(pr)] = torch.tensor(pr)
        idx = [b * Lp + i for i in range(len(pr))]
        for p in ph:
            phrase_ids[q, : len(p)] = torch.tensor(p)
            idx += [B * Lp + q * Lph + i for i in range(len(p))]
            q += 1
        txt_index[b, : len(idx)] = torch.tensor(idx, dtype=torch.int64)
        parts = [e.target, e.layout] + [r.patches for r in e.refs if r is not None]
        img[b, : plan.n_img] = torch.from_numpy(np.concatenate(parts))
        for dst, src in ((slice(0, plan.n_txt), slice(0, plan.n_txt)),
                         (slice(n_txt, n_txt + plan.n_img), slice(plan.n_txt, None))):
            pos[b, dst] = torch.from_numpy(plan.pos[src])
            for t, a in ((seg, plan.seg), (inst, plan.inst), (cover, plan.cover), (valid, plan.valid)):
                t[b, dst] = torch.from_numpy(a[src])
    return Batch(prompt_ids, phrase_ids, txt_index, img, pos, seg, inst, cover, valid, n_main=(S // P) ** 2)


class StepBatches(torch.utils.data.Dataset):
    """Item `step` = the batch of that step for this rank: order and dropout depend only on
    (seed, step, rank), so a resumed run sees exactly the batches it would have seen."""

    def __init__(self, source, cfg: ModelConfig, tok: WordTokenizer, batch_size: int, seed: int,
                 cond_dropout: float, rank: int = 0, world: int = 1, total_steps: int = 10**9, pad_multiple: int = 1,
                 fixed: tuple[int, int] | None = None, buckets: Buckets | None = None,
                 lengths: np.ndarray | None = None, group: int = 1):
        """buckets: pad each batch to a bucket (static shapes); lengths [len(source), 2] (Ntxt, Nimg) per
        sample and group > 1: the samples of `group` consecutive steps are regrouped by length (less padding)."""
        self.source, self.cfg, self.tok = source, cfg, tok
        self.batch_size, self.seed, self.cond_dropout = batch_size, seed, cond_dropout
        self.rank, self.world, self.total_steps, self.pad_multiple = rank, world, total_steps, pad_multiple
        self.fixed, self.buckets, self.lengths, self.group = fixed, buckets, lengths, group
        if group > 1 and (lengths is None or len(lengths) != len(source)):
            raise ValueError("group > 1 needs lengths for every sample (buckets.dataset_lengths)")

    def __len__(self) -> int:
        return self.total_steps

    @functools.lru_cache(maxsize=2)
    def _perm(self, epoch: int) -> np.ndarray:
        return np.random.default_rng([self.seed, epoch]).permutation(len(self.source))

    def indices(self, step: int) -> list[int]:
        if self.group <= 1:
            return self._plain_indices(step)
        w, G = step // self.group, self.group
        window = np.array([i for s in range(w * G, w * G + G) for i in self._plain_indices(s)])
        groups = group_order(self.lengths[window], self.batch_size, np.random.default_rng([self.seed, 2_000_003, w, self.rank]))
        return [int(i) for i in window[groups[step % G]]]

    def _plain_indices(self, step: int) -> list[int]:
        n, out = len(self.source), []
        first = (step * self.world + self.rank) * self.batch_size
        for g in range(first, first + self.batch_size):
            out.append(int(self._perm(g // n)[g % n]))
        return out

    def __getitem__(self, step: int) -> Batch:
        rng = np.random.default_rng([self.seed, 1_000_003, step, self.rank])
        drop = list(rng.random(self.batch_size) < self.cond_dropout)
        return collate([process(self.source[i], self.cfg, self.tok) for i in self.indices(step)], self.cfg, drop,
                       self.pad_multiple, self.fixed, self.buckets)


def max_lengths(cfg: ModelConfig, instances: int, ref_size: int) -> tuple[int, int]:
    """Upper bounds (Ntxt, Nimg) for square images of cfg.image_size with up to `instances` references
    cut from ref_size x ref_size images: the static shapes torch.compile trains with."""
    from .plan import choose_ref_grid

    lim, P = cfg.limits, cfg.token_size
    grid = max(h * w for ch in range(1, ref_size + 1) for cw in range(1, ref_size + 1)
               for h, w in [choose_ref_grid(ch, cw, P, lim.refArea, lim.refMaxSide)])
    return lim.maxTextTokens + instances * lim.maxPhraseTokens, 2 * (cfg.image_size // P) ** 2 + instances * grid
