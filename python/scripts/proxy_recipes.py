"""Small-scale recipe proxy on CPU: today's embedded recipe against candidate changes, each trained at
64x64 on a scaled-down model for the same counted-FLOP budget, then scored on held-out identities.

    nice -n 10 env PYTHONPATH=python .venv/bin/python python/scripts/proxy_recipes.py [--budget-tflop 3]
        [--threads 1] [--only base,conv-head] [--out runs/proxy]

Data: IMIG-Synth at 64x64 rendered by the TypeScript dataset builder into data/proxy/ (4,000 training
samples, seed 11; 96 held-out-identity samples, seed 12; levels 1-4), built on the first run.
Budget: every candidate trains until its counted FLOPs (torch FlopCounterMode over one real training
step, plus the dense attention products the counter misses) reach --budget-tflop, so a candidate that
costs more per sample (token size 4) sees fewer samples; the CPU's speed and load do not matter.
Scores (EMA weights, as shipped), lower is better:
  val_loss  flow-matching v-MSE on the 96 held-out samples, t on a fixed 4-point grid, fixed noise
  box_l1    mean |generated - ground truth| (0..255) inside instance boxes of 32 held-out samples after 12 Euler steps from
            the seeded noise (contextgen_train.noise, the runtime's generator)
  seam      mean |step| across 8-px token borders over mean |step| inside tokens, generated / ground truth
            (1.0 = no more seams than the real images)
Results go to OUT/<candidate>.json (a rerun skips finished candidates) and the table is printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

from contextgen_train.configs import Limits, ModelConfig, Sampling, TrainConfig  # noqa: E402
from contextgen_train.data import StepBatches, collate, process  # noqa: E402
from contextgen_train.losses import noisy, per_sample_mse  # noqa: E402
from contextgen_train.noise import gaussian_noise  # noqa: E402
from contextgen_train.patches import unpatchify  # noqa: E402
from contextgen_train.sample import timesteps  # noqa: E402
from contextgen_train.shards import ShardReader  # noqa: E402
from contextgen_train.tokenizer import WordTokenizer  # noqa: E402
from contextgen_train.train import Trainer  # noqa: E402

# The embedded config scaled down (width 192 -> 96, 6 -> 3 blocks, 128 -> 64 px, references 96 -> 32 px).
PROXY = ModelConfig(
    name="proxy", token_size=8, hidden=96, heads=2, depth_double=1, depth_single=2, axes_dim=(16, 16, 16),
    mlp_ratio=3.0, text_dim=64, text_layers=1, text_heads=2, image_size=64,
    limits=Limits(maxInstances=4, minSide=32, maxSide=128, maxTokens=1024, refArea=1024, refMaxSide=32,
                  maxTextTokens=32, maxPhraseTokens=6),
    sampling=Sampling(steps=12),
).check()

# The recipe the shipped model was trained with (constant lr 3e-4 after warmup, logit-normal(0, 1) t, DPO on the
# last 15 % at beta 1000), pinned here so that a change of TrainConfig's defaults does not move the baseline.
# Step counts are scaled to the proxy's length: warmup = 20 % of the SFT steps (200 of ~1,000 on the GPU).
BASE = {"cfg": {}, "train": {"lr": 3e-4, "logit_normal_mean": 0.0, "logit_normal_std": 1.0},
        "warmup_share": 0.2, "dpo_share": 0.15, "dpo_beta": 1000.0}
CANDIDATES: dict[str, dict] = {
    "base": BASE,
    "conv-head": {**BASE, "cfg": {"head": "conv"}},
    "lr-cosine": {**BASE, "train": {**BASE["train"], "lr": 1e-3}, "warmup_share": 0.05, "cosine": True},
    "t-noisier": {**BASE, "train": {**BASE["train"], "logit_normal_mean": 0.8, "logit_normal_std": 0.8}},
    "dpo-late": {**BASE, "dpo_share": 0.05, "dpo_beta": 100.0},
    "token-4": {**BASE, "cfg": {"token_size": 4}},
}
# Second round: the first round's winner (lr-cosine) with the changes that helped or that it may rescue.
COSINE = CANDIDATES["lr-cosine"]
CANDIDATES.update({
    "cos+noisier": {**COSINE, "train": {**COSINE["train"], "logit_normal_mean": 0.8, "logit_normal_std": 0.8}},
    "cos+conv": {**COSINE, "cfg": {"head": "conv"}},
    "cos+late-dpo": {**COSINE, "dpo_share": 0.05, "dpo_beta": 100.0},
})
BATCH = 16
T_GRID = [(i + 0.5) / 4 for i in range(4)]


def ensure_data(folder: Path) -> tuple[Path, Path]:
    train, held = folder / "train", folder / "heldout"
    builds = [(train, ["--count", "4000", "--seed", "11"]), (held, ["--count", "96", "--seed", "12", "--split", "heldout"])]
    for out, extra in builds:
        if not (out / "meta.json").exists():
            cmd = ["npx", "tsx", "packages/dataset/src/main.ts", "build", "--size", "64", "--ref-size", "32",
                   "--levels", "1-4", "--workers", "1", "--quiet", "--out", str(out), *extra]
            print("[data]", " ".join(cmd), file=sys.stderr, flush=True)
            subprocess.run(cmd, cwd=ROOT, check=True)
    return train, held


def step_flops(tr: Trainer, batch) -> float:
    """Counted FLOPs of one training step (forward + backward), plus the dense attention products."""
    with FlopCounterMode(display=False) as fc:
        tr.train_step(batch)
    tr.step -= 1  # a measurement, not a step of the run
    cfg, B = tr.cfg, batch.img.shape[0]
    N = batch.seg.shape[1]
    pairs = 2 if tr.stage == "dpo" else 1
    attn = 4 * N * N * cfg.hidden * (cfg.depth_double + cfg.depth_single) * B * pairs * (3 + (1 if pairs == 2 else 0))
    return fc.get_total_flops() + attn


def train_candidate(name: str, spec: dict, train_dir: Path, budget: float, seed: int) -> tuple[Trainer, dict]:
    cfg = dataclasses.replace(PROXY, **spec["cfg"]).check()
    data = ShardReader(train_dir)
    tok = WordTokenizer.build(data.meta["vocab"])
    probe = Trainer(cfg, TrainConfig(batch_size=BATCH, seed=seed), len(tok))
    sb = StepBatches(data, cfg, tok, BATCH, seed, 0.1)
    sft_flops = float(np.mean([step_flops(probe, sb[10_000 + i]) for i in range(2)]))
    probe.start_dpo()
    dpo_flops = step_flops(probe, sb[10_001])
    del probe
    dpo_steps = int(budget * spec["dpo_share"] / dpo_flops)
    sft_steps = int(budget * (1 - spec["dpo_share"]) / sft_flops)
    warm = max(1, int(spec["warmup_share"] * sft_steps))
    tcfg = TrainConfig(batch_size=BATCH, seed=seed, warmup_steps=warm, dpo_beta=spec["dpo_beta"],
                       lr_decay_steps=sft_steps if spec.get("cosine") else 0, **spec["train"])
    torch.manual_seed(seed)
    tr = Trainer(cfg, tcfg, len(tok))
    t0, losses = time.monotonic(), []
    for s in range(sft_steps + dpo_steps):
        if s == sft_steps and dpo_steps:
            tr.start_dpo()
        m = tr.train_step(sb[s])
        losses.append(m["loss"])
        if (s + 1) % 50 == 0:
            print(f"  [{name}] step {s + 1}/{sft_steps + dpo_steps} {tr.stage} loss {np.mean(losses[-50:]):.4f} "
                  f"{(s + 1) * BATCH / (time.monotonic() - t0):.1f} samples/s", file=sys.stderr, flush=True)
    info = {"sft_steps": sft_steps, "dpo_steps": dpo_steps, "samples": (sft_steps + dpo_steps) * BATCH,
            "gflop_per_sft_step": round(sft_flops / 1e9, 2), "train_s": round(time.monotonic() - t0, 1),
            "last_sft_loss": round(float(np.mean(losses[max(0, sft_steps - 20):sft_steps])), 4)}
    return tr, {**info, "tok": tok}


def seam_ratio(img: np.ndarray, P: int = 8) -> float:
    """Mean |horizontal + vertical step| across P-px borders over the mean inside tokens (float HxWx3)."""
    dx, dy = np.abs(np.diff(img, axis=1)).mean((0, 2)), np.abs(np.diff(img, axis=0)).mean((1, 2))
    border = np.arange(P - 1, len(dx), P)
    inside = np.setdiff1d(np.arange(len(dx)), border)
    return float((dx[border].mean() + dy[border].mean()) / max(dx[inside].mean() + dy[inside].mean(), 1e-9))


@torch.no_grad()
def evaluate(tr: Trainer, tok: WordTokenizer, held_dir: Path, n_loss: int = 96, n_sample: int = 32) -> dict:
    cfg, net = tr.cfg, tr.ema.eval()
    data = ShardReader(held_dir)
    exs = [process(data[i], cfg, tok) for i in range(min(n_loss, len(data)))]
    g = torch.Generator().manual_seed(1234)
    losses = []
    for i in range(0, len(exs), 16):
        b = collate(exs[i:i + 16], cfg, [False] * len(exs[i:i + 16]))
        nm, B = b.n_main, b.img.shape[0]
        for tv in T_GRID:
            eps = torch.randn(b.x0.shape, generator=g)
            t = torch.full((B,), tv)
            pred = net(b, torch.cat((noisy(b.x0, eps, t), b.img[:, nm:]), 1), t)
            losses.append(per_sample_mse(pred[:, :nm], b.x0, eps))
    val = float(torch.cat(losses).mean())
    box_l1, seams = [], []
    P, S = cfg.token_size, cfg.image_size
    for i in range(0, min(n_sample, len(exs)), 16):
        chunk = exs[i:i + 16]
        b = collate(chunk, cfg, [False] * len(chunk))
        nm = b.n_main
        x = torch.stack([torch.from_numpy(gaussian_noise(i + j, nm * cfg.patch_dim)).reshape(nm, -1)
                         for j in range(len(chunk))])
        ts = timesteps(cfg.sampling.steps, nm, dataclasses.asdict(cfg.sampling.shift))
        for t0, t1 in zip(ts[:-1], ts[1:]):
            v = net(b, torch.cat((x, b.img[:, nm:]), 1), torch.full((len(chunk),), t0))[:, :nm]
            x = x + (t1 - t0) * v
        gen = ((unpatchify(x, S // P, S // P, P).clamp(-1, 1) + 1) * 127.5).numpy()
        for j, ex in enumerate(chunk):
            gt = data[i + j].target.astype(np.float32)
            err = np.abs(gen[j] - gt).mean(-1)
            m = np.zeros(err.shape, bool)
            for x1, y1, x2, y2 in ex.boxes:
                m[int(y1):int(math.ceil(y2)), int(x1):int(math.ceil(x2))] = True
            box_l1.append(float(err[m].mean()) if m.any() else float(err.mean()))
            seams.append(seam_ratio(gen[j], 8) / max(seam_ratio(gt, 8), 1e-9))
    return {"val_loss": round(val, 4), "box_l1": round(float(np.mean(box_l1)), 2), "seam": round(float(np.mean(seams)), 3)}


def table(rows: list[dict]) -> str:
    head = f"| {'candidate':<12} | val_loss | box_l1 | seam | samples | steps sft+dpo | GFLOP/step | train s |"
    out = [head, "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
    base = next((r for r in rows if r["name"] == "base"), None)
    for r in sorted(rows, key=lambda r: r["val_loss"]):
        d = f" ({r['val_loss'] - base['val_loss']:+.4f})" if base and r is not base else ""
        out.append(f"| {r['name']:<12} | {r['val_loss']:.4f}{d} | {r['box_l1']:.2f} | {r['seam']:.3f} | {r['samples']} | "
                   f"{r['sft_steps']}+{r['dpo_steps']} | {r['gflop_per_sft_step']} | {r['train_s']} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "proxy")
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "proxy")
    ap.add_argument("--budget-tflop", type=float, default=3.0, help="counted training FLOPs per candidate")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default=None, help="comma-separated candidate names (default: all)")
    ap.add_argument("--table-only", action="store_true", help="print the table of finished candidates")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    names = a.only.split(",") if a.only else list(CANDIDATES)
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        ap.error(f"unknown candidate(s) {unknown}; choose from {list(CANDIDATES)}")
    a.out.mkdir(parents=True, exist_ok=True)
    if not a.table_only:
        train_dir, held_dir = ensure_data(a.data)
        for name in names:
            path = a.out / f"{name}.json"
            if path.exists() and json.loads(path.read_text()).get("budget_tflop") == a.budget_tflop:
                continue
            print(f"[proxy] {name}: {CANDIDATES[name]}", file=sys.stderr, flush=True)
            t0 = time.monotonic()
            tr, info = train_candidate(name, CANDIDATES[name], train_dir, a.budget_tflop * 1e12, a.seed)
            scores = evaluate(tr, info.pop("tok"), held_dir)
            row = {"name": name, **scores, **info, "budget_tflop": a.budget_tflop, "spec": CANDIDATES[name],
                   "wall_s": round(time.monotonic() - t0, 1), "threads": a.threads}
            path.write_text(json.dumps(row, indent=1) + "\n")
            print(f"[proxy] {json.dumps(row)}", file=sys.stderr, flush=True)
    rows = [json.loads((a.out / f"{n}.json").read_text()) for n in names if (a.out / f"{n}.json").exists()]
    rows = [r for r in rows if r.get("budget_tflop") == a.budget_tflop]
    print(f"budget {a.budget_tflop} TFLOP per candidate, batch {BATCH}, 64x64, held-out identities (lower is better)")
    print(table(rows))


if __name__ == "__main__":
    main()
