"""Training speed of the attention paths x compile modes x batch sizes on one device, on real shards:
steady samples/s (compilation and warm-up excluded), counted TFLOP/s, utilisation against the device's
peak, padding, and whether the loader keeps up. Prints one table; meant as the first minutes of a GPU
call (scripts/gpu/speed-matrix.sh) to pick the fastest correct combination for the training run.

    PYTHONPATH=python python python/scripts/speed_matrix.py DATA [--config embedded] [--combos sdpa:off,sdpa:blocks,flex:blocks]
        [--batches 256,512] [--steps 20] [--cap-s 90] [--workers N] [--device auto]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contextgen_train.buckets import dataset_lengths, fit_buckets, padding_fraction  # noqa: E402
from contextgen_train.configs import REGISTRY, TrainConfig, get_config  # noqa: E402
from contextgen_train.data import StepBatches  # noqa: E402
from contextgen_train.flops import batch_step_flops, peak_flops  # noqa: E402
from contextgen_train.gpu_run import open_dataset  # noqa: E402
from contextgen_train.tokenizer import WordTokenizer  # noqa: E402
from contextgen_train.train import Trainer  # noqa: E402


def measure(cfg, tok, data, lengths, buckets, device, attention: str, compile: str, batch: int, steps: int,
            cap_s: float, workers: int) -> dict:
    tr = Trainer(cfg, TrainConfig(batch_size=batch), len(tok), device, bf16=device.type == "cuda",
                 compile=compile, attention=attention)
    sb = StepBatches(data, cfg, tok, batch, 0, 0.1, buckets=buckets, lengths=lengths, group=16)
    loader = torch.utils.data.DataLoader(sb, batch_size=None, sampler=range(0, 10**6), num_workers=workers,
                                         pin_memory=device.type == "cuda", prefetch_factor=4 if workers else None)
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    t_start, seen, timed, flops, wait, pad, warm_s = time.monotonic(), set(), 0, 0.0, 0.0, [], 0.0
    it, t0 = iter(loader), None
    for step in range(10**6):
        w = time.monotonic()
        b = next(it)
        wait_b = time.monotonic() - w
        shape = (b.txt_index.shape[1], b.img.shape[1])
        if shape not in seen:  # first batch of a bucket: compilation / warm-up, untimed
            seen.add(shape)
            tr.train_step(b)
            sync()
            continue
        if t0 is None:
            sync()
            t0, warm_s = time.monotonic(), time.monotonic() - t_start
        tr.train_step(b)
        timed, wait = timed + 1, wait + wait_b
        flops += batch_step_flops(cfg, b)
        pad.append(padding_fraction(lengths[sb.indices(step)], shape))
        if timed >= steps or time.monotonic() - t_start > cap_s:
            break
    sync()
    dt = max(time.monotonic() - (t0 or time.monotonic()), 1e-9)
    peak = peak_flops(torch.cuda.get_device_name(device)) if device.type == "cuda" else None
    row = {"attention": attention, "compile": compile, "batch": batch, "steps": timed,
           "samples_per_s": round(timed * batch / dt, 1), "tflops": round(flops / dt / 1e12, 4),
           "mfu": round(flops / dt / peak, 4) if peak else None, "data_wait": round(wait / dt, 3),
           "padding": round(float(np.mean(pad)), 3) if pad else None, "warmup_s": round(warm_s, 1),
           "shapes": len(seen)}
    if device.type == "cuda":
        row["max_mem_gib"] = round(torch.cuda.max_memory_allocated(device) / 2**30, 1)
        torch.cuda.reset_peak_memory_stats(device)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--config", default="embedded", choices=sorted(REGISTRY))
    ap.add_argument("--combos", default="sdpa:off,sdpa:blocks,sdpa:model,flex:blocks")
    ap.add_argument("--batches", default="256,512")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--cap-s", type=float, default=90.0, help="seconds per combination, warm-up included")
    ap.add_argument("--buckets", default="2,4")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--device", default="auto")
    a = ap.parse_args()
    cuda = torch.cuda.is_available() and a.device != "cpu"
    device = torch.device("cuda" if cuda else "cpu")
    cfg = get_config(a.config)
    data = open_dataset(a.data, cfg)
    tok = WordTokenizer.build(data.meta["vocab"])
    lengths = dataset_lengths(data, cfg, tok, cache=a.data if os.access(a.data, os.W_OK) else None)
    buckets = fit_buckets(lengths, *(int(v) for v in a.buckets.split(",")))
    workers = a.workers if a.workers is not None else (max(0, (os.cpu_count() or 2) - 2) if cuda else 0)
    print(f"# {torch.cuda.get_device_name(device) if cuda else 'cpu'}, {cfg.name}, buckets {buckets}, {workers} workers",
          flush=True)
    rows = []
    for combo in a.combos.split(","):
        attention, compile = combo.split(":")
        if attention == "flex" and not cuda:
            continue  # no FlexAttention backward on CPU
        for batch in (int(v) for v in a.batches.split(",")):
            try:
                row = measure(cfg, tok, data, lengths, buckets, device, attention, compile, batch, a.steps, a.cap_s, workers)
            except Exception as e:  # noqa: BLE001 - an OOM or a compile failure is a row of the table
                row = {"attention": attention, "compile": compile, "batch": batch, "error": f"{type(e).__name__}: {e}"[:200]}
                if cuda:
                    torch.cuda.empty_cache()
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("| attention | compile | batch | samples/s | TFLOP/s | mfu | data_wait | padding | warm-up s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['attention']} | {r['compile']} | {r['batch']} | {r['error']} |")
        else:
            print(f"| {r['attention']} | {r['compile']} | {r['batch']} | {r['samples_per_s']} | {r['tflops']} | "
                  f"{r['mfu']} | {r['data_wait']} | {r['padding']} | {r['warmup_s']} |")


if __name__ == "__main__":
    main()
