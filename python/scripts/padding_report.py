"""Share of PAD tokens per batch for the ways a batch can be padded, from a dataset's per-sample lengths
(condition dropout included: a dropped sample has one text token).

    PYTHONPATH=python .venv/bin/python python/scripts/padding_report.py DATA_DIR [--config embedded] [--batch 128]
        [--group 16] [--steps 200] [--k-txt 2] [--k-img 3]

Rows: `batch max` (today's eager collate: the longest sample of each batch), `static max` (today's
--compile: the dataset's maximum lengths), `buckets` (fitted edges, batches as drawn), and
`buckets + grouping` (windows of --group batches regrouped by length), with the number of distinct shapes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contextgen_train.buckets import dataset_lengths, fit_buckets  # noqa: E402
from contextgen_train.configs import REGISTRY, TrainConfig, get_config  # noqa: E402
from contextgen_train.data import StepBatches, max_lengths  # noqa: E402
from contextgen_train.shards import ShardReader  # noqa: E402
from contextgen_train.tokenizer import WordTokenizer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--config", default="embedded", choices=sorted(REGISTRY))
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--group", type=int, default=16)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--k-txt", type=int, default=2)
    ap.add_argument("--k-img", type=int, default=3)
    a = ap.parse_args()
    cfg, r = get_config(a.config), ShardReader(a.data)
    tok = WordTokenizer.build(r.meta["vocab"])
    lengths = dataset_lengths(r, cfg, tok, cache=a.data)
    buckets = fit_buckets(lengths, a.k_txt, a.k_img)
    static = max_lengths(cfg, min(cfg.limits.maxInstances, r.max_instances), r.ref_size)
    drop_p = TrainConfig().cond_dropout
    rows = {"batch max": [], "static max (--compile today)": [], "buckets": [], "buckets + grouping": []}
    shapes: dict[str, set] = {k: set() for k in rows}
    plain = StepBatches(r, cfg, tok, a.batch, 0, drop_p)
    grouped = StepBatches(r, cfg, tok, a.batch, 0, drop_p, lengths=lengths, group=a.group)
    for s in range(a.steps):
        drop = np.random.default_rng([0, 1_000_003, s, 0]).random(a.batch) < drop_p  # as StepBatches
        for name, sb in (("plain", plain), ("grouped", grouped)):
            real = lengths[sb.indices(s)].copy()
            real[drop, 0] = 1
            need = tuple(int(v) for v in real.max(0))
            pads = {"plain": {"batch max": need, "static max (--compile today)": static, "buckets": buckets.fit(*need)},
                    "grouped": {"buckets + grouping": buckets.fit(*need)}}[name]
            for row, shape in pads.items():
                rows[row].append(1 - real.sum() / (a.batch * sum(shape)))
                shapes[row].add(shape)
    print(f"{a.data}: {len(r)} samples, config {cfg.name}, batch {a.batch}, {a.steps} steps, "
          f"buckets txt {buckets.txt} img {buckets.img}, group {a.group}")
    print("| padding | PAD share of tokens | distinct shapes |")
    print("|---|---|---|")
    for row, v in rows.items():
        print(f"| {row} | {100 * np.mean(v):.1f} % | {len(shapes[row])} |")


if __name__ == "__main__":
    main()
