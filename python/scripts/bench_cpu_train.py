"""Training throughput on this machine's CPU: a few steps on synthetic shards, eager or compiled, batches
padded to fitted buckets (static shapes) and regrouped by length, with the counted TFLOP/s.

    PYTHONPATH=python:python/tests .venv/bin/python python/scripts/bench_cpu_train.py --config tiny --threads 1 \
        [--compile off|model|blocks] [--buckets 2,3|off] [--group 8] [--steps 5] [--batch 8] [--bf16]

The compiled run's first step of each bucket (compilation) is excluded, as the eager run's first step
is; the loss of the first timed step is printed for an eager-vs-compiled comparison at the same seed.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import torch
from torch._dynamo.utils import counters

from contextgen_train.buckets import dataset_lengths, fit_buckets, padding_fraction
from contextgen_train.configs import TrainConfig, get_config
from contextgen_train.data import StepBatches
from contextgen_train.flops import batch_step_flops
from contextgen_train.shards import ShardReader, write_shards
from contextgen_train.tokenizer import WordTokenizer
from contextgen_train.train import Trainer
from synth import VOCAB, raw_sample

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--config", default="tiny")
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--batch", type=int, default=8)
ap.add_argument("--threads", type=int, default=torch.get_num_threads())
ap.add_argument("--compile", default="off", choices=["off", "model", "blocks"])
ap.add_argument("--buckets", default="1,1", help="K_TXT,K_IMG edges fitted to the samples, or off")
ap.add_argument("--group", type=int, default=1)
ap.add_argument("--bf16", action="store_true", help="bf16 autocast on CPU")
a = ap.parse_args()
torch.set_num_threads(a.threads)
cfg = get_config(a.config)
S, R = cfg.image_size, cfg.limits.refMaxSide if cfg.name != "tiny" else 16
with tempfile.TemporaryDirectory() as d:
    write_shards(d, [raw_sample(i, size=S, ref_size=min(R, 64), max_inst=4) for i in range(4 * a.batch)], S, min(R, 64), VOCAB)
    r = ShardReader(d)
    tok = WordTokenizer.build(r.meta["vocab"])
    lengths = dataset_lengths(r, cfg, tok)
    buckets = None if a.buckets == "off" else fit_buckets(lengths, *(int(v) for v in a.buckets.split(",")))
    sb = StepBatches(r, cfg, tok, a.batch, 0, 0.1, buckets=buckets, lengths=lengths, group=a.group)
    batches = [sb[i] for i in range(a.steps + 1)]
    pad = np.mean([padding_fraction(lengths[sb.indices(i)], (b.txt_index.shape[1], b.img.shape[1]))
                   for i, b in enumerate(batches)])
    tr = Trainer(cfg, TrainConfig(batch_size=a.batch), len(tok), compile=a.compile)
    tr.bf16 = a.bf16
    if a.bf16:
        tr._autocast = lambda: torch.autocast("cpu", dtype=torch.bfloat16)  # type: ignore[method-assign]
    t = time.perf_counter()
    seen = set()
    for b in batches:  # one untimed step per shape: compilation (or eager warm-up)
        shape = (b.txt_index.shape[1], b.img.shape[1])
        if shape not in seen:
            seen.add(shape)
            tr.train_step(b)
    warm = time.perf_counter() - t
    graphs = counters["stats"]["unique_graphs"]
    t, first = time.perf_counter(), None
    for b in batches[1:]:
        m = tr.train_step(b)
        first = m["loss"] if first is None else first
    dt = time.perf_counter() - t
    flops = sum(batch_step_flops(cfg, b) for b in batches[1:])
    print(f"{cfg.name}: {a.steps} steps of batch {a.batch}, {a.threads} threads, compile {a.compile}, "
          f"{'bf16' if a.bf16 else 'fp32'}, buckets {buckets}, group {a.group}: {a.steps * a.batch / dt:.2f} samples/s "
          f"({dt / a.steps:.3f} s/step, {flops / dt / 1e9:.1f} GFLOP/s counted), padding {100 * pad:.1f} %, "
          f"warm-up {warm:.1f} s for {len(seen)} shape(s), graphs {graphs} -> {counters['stats']['unique_graphs']}, "
          f"first timed loss {first:.6f}")
