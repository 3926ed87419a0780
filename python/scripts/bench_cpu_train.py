"""Training throughput on this machine's CPU (a few steps on synthetic shards), and one ONNX denoiser step.

    PYTHONPATH=python:python/tests .venv/bin/python python/scripts/bench_cpu_train.py --config embedded --steps 3
"""

from __future__ import annotations

import argparse
import tempfile
import time

import torch

from contextgen_train.configs import TrainConfig, get_config
from contextgen_train.data import StepBatches
from contextgen_train.shards import ShardReader, write_shards
from contextgen_train.tokenizer import WordTokenizer
from contextgen_train.train import Trainer
from synth import VOCAB, raw_sample

ap = argparse.ArgumentParser()
ap.add_argument("--config", default="tiny")
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--batch", type=int, default=8)
ap.add_argument("--threads", type=int, default=torch.get_num_threads())
a = ap.parse_args()
torch.set_num_threads(a.threads)
cfg = get_config(a.config)
S, R = cfg.image_size, cfg.limits.refMaxSide if cfg.name != "tiny" else 16
with tempfile.TemporaryDirectory() as d:
    write_shards(d, [raw_sample(i, size=S, ref_size=min(R, 64), max_inst=4) for i in range(4 * a.batch)], S, min(R, 64), VOCAB)
    r = ShardReader(d)
    tok = WordTokenizer.build(r.meta["vocab"])
    sb = StepBatches(r, cfg, tok, a.batch, 0, 0.1)
    batches = [sb[i] for i in range(a.steps + 1)]
    tr = Trainer(cfg, TrainConfig(batch_size=a.batch), len(tok))
    tr.train_step(batches[0])
    t = time.perf_counter()
    for b in batches[1:]:
        tr.train_step(b)
    dt = time.perf_counter() - t
    print(f"{cfg.name}: {a.steps} steps of batch {a.batch}, {a.threads} threads: "
          f"{a.steps * a.batch / dt:.2f} samples/s ({dt / a.steps:.3f} s/step)")
