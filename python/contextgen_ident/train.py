"""Trains the identity network on exported pairs and writes identity-net.onnx + identity-net.json.

python -m contextgen_ident.train --pairs data/ident --out bench/evaluators [--minutes 12] [--seed 0]

Batches mix the exported pairs (genuine and layout-pasted crops against blurred, mosaic and
other-identity crops) with kinds made here: genuine crops blurred in the crop frame, pixel noise
and flat colours under the reference's mask, and each genuine reference against the genuine crop
of another identity with the nearest mean colour in the batch (same colour, different identity). Positives and negatives weigh half each. Identities
are split 90/10 by index for a validation figure; the run stops at --minutes (the learning rate
follows a cosine over the planned steps or the time budget, whichever runs out first).
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .data import (Pairs, augment_crop, blurred_negatives, concat_pairs, load_pairs, texture_negatives,
                   to_tensor)
from .export import export_onnx
from .model import IdentityNet


def colour_neighbours(crop: torch.Tensor, identity: torch.Tensor) -> torch.Tensor:
    """For each row, the row of another identity whose masked mean colour is nearest."""
    m = crop[:, 3:4].sum(dim=(2, 3)).clamp_min(1)
    mean = crop[:, :3].sum(dim=(2, 3)) / m
    d = torch.cdist(mean, mean)
    d = d.masked_fill(identity[:, None] == identity[None, :], float("inf"))
    return d.argmin(dim=1)


def batch_loss(net: IdentityNet, ref: torch.Tensor, crop: torch.Tensor, label: torch.Tensor,
               identity: torch.Tensor, gen: torch.Generator, extra: bool = True) -> torch.Tensor:
    """Balanced BCE over the batch's pairs plus, with `extra`, blurred genuine crops, noise and
    flat-colour crops, and colour-nearest other-identity crops as negatives (each reference is
    encoded once)."""
    crop = augment_crop(crop, gen)
    pi = torch.nonzero(label > 0.5).flatten()
    extra = extra and len(pi) >= 2
    crops = torch.cat([crop, blurred_negatives(crop[pi], gen), texture_negatives(ref[pi], gen)]) if extra else crop
    fr, fc = net.encoder(ref), net.encoder(crops)
    n = len(ref)
    logits = [net.compare(fr, fc[:n], ref[:, 3:4])]
    labels = [label]
    if extra:
        k = len(pi)
        logits.append(net.compare(fr[pi], fc[n:n + k], ref[pi, 3:4]))
        logits.append(net.compare(fr[pi], fc[n + k:], ref[pi, 3:4]))
        labels.append(torch.zeros(2 * k))
        nb = pi[colour_neighbours(crop[pi], identity[pi])]
        ok = identity[nb] != identity[pi]
        if ok.any():
            logits.append(net.compare(fr[pi[ok]], fc[nb[ok]], ref[pi[ok], 3:4]))
            labels.append(torch.zeros(int(ok.sum())))
    z, y = torch.cat(logits), torch.cat(labels)
    npos = y.sum().clamp_min(1)
    nneg = (1 - y).sum().clamp_min(1)
    w = torch.where(y > 0.5, 0.5 / npos, 0.5 / nneg)
    return (F.binary_cross_entropy_with_logits(z, y, reduction="none") * w).sum()


@torch.no_grad()
def evaluate(net: IdentityNet, pairs: Pairs, batch: int = 512) -> dict:
    """Per kind: the share of pairs on the right side of logit 0 (pass for positives, fail otherwise)."""
    net.eval()
    logits = []
    for i in range(0, len(pairs.kind), batch):
        logits.append(net(to_tensor(pairs.reference[i:i + batch]), to_tensor(pairs.crop[i:i + batch])))
    net.train()
    z = torch.cat(logits).numpy() if logits else np.zeros(0)
    label = pairs.label
    out = {}
    for k, name in enumerate(pairs.kinds):
        sel = pairs.kind == k
        if sel.any():
            right = (z[sel] >= 0) == (label[sel] > 0.5)
            out[name] = {"pairs": int(sel.sum()), "right": round(float(right.mean()), 4)}
    return out


def split_by_identity(pairs: Pairs, every: int = 10) -> tuple[Pairs, Pairs]:
    val = pairs.identity % every == 0
    return pairs.subset(np.nonzero(~val)[0]), pairs.subset(np.nonzero(val)[0])


def train(pairs: Pairs, minutes: float, seed: int = 0, batch: int = 128, lr: float = 3e-3,
          epochs: float = 12, log=print, init: dict | None = None) -> tuple[IdentityNet, dict]:
    """Trains from scratch, or continues from the state dict `init` (a fresh schedule)."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    train_set, val_set = split_by_identity(pairs)
    net = IdentityNet()
    if init is not None:
        net.load_state_dict(init)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    n = len(train_set.kind)
    if n < batch:
        raise ValueError(f"only {n} training pairs; export more (bench ident-pairs --samples N)")
    planned = max(1, int(epochs * n / batch))
    label = torch.from_numpy(train_set.label)
    ident = torch.from_numpy(train_set.identity)
    start = time.monotonic()
    step = 0
    losses: list[float] = []
    while step < planned and time.monotonic() - start < 60 * minutes:
        idx = rng.choice(n, batch, replace=False)
        # cosine over whichever runs out first, the planned steps or the time budget
        progress = min(1.0, max(step / planned, (time.monotonic() - start) / (60 * minutes)))
        for g in opt.param_groups:
            g["lr"] = lr * min(1.0, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * progress))
        loss = batch_loss(net, to_tensor(train_set.reference[idx]), to_tensor(train_set.crop[idx]),
                          label[idx], ident[idx], gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        step += 1
        if step % 100 == 0:
            log(f"step {step}/{planned} loss {np.mean(losses[-100:]):.4f} {time.monotonic() - start:.0f}s")
    info = {
        "steps": step,
        "plannedSteps": planned,
        "batch": batch,
        "lr": lr,
        "seconds": round(time.monotonic() - start, 1),
        "finalLoss": round(float(np.mean(losses[-100:])), 4),
        "trainPairs": n,
        "validationPairs": len(val_set.kind),
        "validation": evaluate(net, val_set),
    }
    return net, info


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", required=True, nargs="+", help="one or more ident-pairs export folders")
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=12)
    ap.add_argument("--epochs", type=float, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--checkpoint", default="data/identity-net.pt",
                    help="where the trained weights go (and --resume reads them from)")
    ap.add_argument("--resume", action="store_true", help="continue from --checkpoint with a new schedule")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    pairs = concat_pairs([load_pairs(p) for p in args.pairs])
    ckpt = Path(args.checkpoint)
    init = torch.load(ckpt, map_location="cpu")["model"] if args.resume else None
    previous = torch.load(ckpt, map_location="cpu")["info"] if args.resume else None
    net, info = train(pairs, args.minutes, seed=args.seed, epochs=args.epochs, lr=args.lr, init=init)
    if previous is not None:
        info["resumedFrom"] = previous
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": net.state_dict(), "info": info}, ckpt)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / "identity-net.onnx"
    export_onnx(net, onnx_path)
    provenance = {
        "format": "contextgen-identity-net/1",
        "model": "siamese CNN (shared encoder to 8x8x64 unit features, 1x1 comparison head, mask-pooled logit)",
        "parameters": sum(p.numel() for p in net.parameters()),
        "inputs": "reference, crop: float32 [N,4,32,32] (RGB in 0..1 times mask, mask); output logit [N]",
        "data": pairs.meta,
        "training": info,
        "seed": args.seed,
        "torch": torch.__version__,
        "command": f"PYTHONPATH=python nice -n 10 .venv/bin/python -m contextgen_ident.train --pairs {' '.join(args.pairs)} "
                   f"--out {args.out} --minutes {args.minutes:g} --epochs {args.epochs:g} --lr {args.lr:g} --seed {args.seed}"
                   + (" --resume" if args.resume else ""),
        "onnxBytes": onnx_path.stat().st_size,
    }
    (out / "identity-net.json").write_text(json.dumps(provenance, indent=1) + "\n")
    print(json.dumps(info["validation"]))
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size} bytes) and {out / 'identity-net.json'}")


if __name__ == "__main__":
    main()
