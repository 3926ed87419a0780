"""One call: get the data, train (from scratch or resuming a model folder's checkpoint), export, and
write a complete model folder + training log into --out.

    python -m contextgen_train.gpu_run --out OUT --minutes 8 --data DATA_DIR [--resume-from MODEL_DIR]
    python -m contextgen_train.gpu_run --out OUT --minutes 8 --data-cmd "node scripts/device/render.js --out {data}"
    torchrun --nproc_per_node 8 -m contextgen_train.gpu_run ...   (DDP, same flags)
    ... --attention flex   (FlexAttention, block-sparse masks, compiled on CUDA; export still uses SDPA)

OUT receives model.json, vocab.json, text_encoder.onnx, denoiser.onnx, checkpoint.pt (bf16, split into
parts under 15 MiB when larger), train_log.jsonl and run.json (figures of this call).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from .checkpoint import load_checkpoint, save_checkpoint
from .configs import REGISTRY, ModelConfig, TrainConfig, get_config
from .buckets import dataset_lengths, fit_buckets
from .data import StepBatches, collate, process
from .flops import peak_flops
from .export import onnx_parity, write_model_folder
from .imig100k import Imig100kReader
from .model import param_count
from .progress import MetricsLog, ProgressLine
from .shards import ShardReader
from .tokenizer import WordTokenizer
from .train import Trainer, cuda_fits, dist_info, largest_batch, run


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m contextgen_train.gpu_run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="model folder to write")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", type=Path, help="IMIG-Synth folder (meta.json + shard-*.bin)")
    src.add_argument("--data-cmd", help="shell command that writes shards into {data} (a temp folder)")
    ap.add_argument("--resume-from", type=Path, help="model folder whose checkpoint.pt to continue")
    ap.add_argument("--minutes", type=float, required=True, help="wall-clock budget of this call, export included")
    ap.add_argument("--config", default="embedded", choices=sorted(REGISTRY), help="model config (new runs)")
    ap.add_argument("--name", default=None, help="model name in model.json (default: embedded-pixel-s / <config>)")
    ap.add_argument("--batch", default=None,
                    help="per-GPU batch size, or auto: the largest of 128..2048 whose DPO-sized step on the longest "
                         "samples stays under 85%% of GPU memory (CUDA)")
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--lr-decay", default="auto",
                    help="cosine decay of the SFT learning rate: auto (to the end of this call's SFT time, from the "
                         "step rate measured over the warmup), off, or the global step it ends at")
    ap.add_argument("--recipe", default="checkpoint", choices=["checkpoint", "defaults"],
                    help="when resuming: keep the checkpoint's TrainConfig, or take today's defaults (seed kept)")
    ap.add_argument("--dpo-fraction", type=float, default=0.0, help="share of this call's time for Diffusion-DPO")
    ap.add_argument("--dpo-at-step", type=int, default=None, help="switch to DPO at this global step (or earlier by time)")
    ap.add_argument("--dpo-beta", type=float, default=None)
    ap.add_argument("--max-steps", type=int, default=10**9, help="stop at this global step")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None, help="data loader processes (default: cpus - 2, 0 on cpu)")
    ap.add_argument("--device", default="auto", help="auto | cpu | cuda")
    ap.add_argument("--compile", nargs="?", const="blocks", default="off", choices=["off", "model", "blocks"],
                    help="torch.compile: blocks (each transformer block, short compiles; the bare flag), model "
                         "(whole net, most fusion), off. Batches are padded to fitted buckets (static shapes)")
    ap.add_argument("--compile-dynamic", action="store_true", help="symbolic token counts: one compilation in all")
    ap.add_argument("--buckets", default="auto",
                    help="K_TXT,K_IMG bucket edges fitted to the data (auto = 2,4 when compiling), or 'off' "
                         "(pad each batch to its longest sample)")
    ap.add_argument("--group", type=int, default=16,
                    help="regroup the samples of this many consecutive batches by length (less padding; 1 = off)")
    ap.add_argument("--attention", default="sdpa", choices=["sdpa", "flex"],
                    help="sdpa: dense additive masks (default); flex: FlexAttention with block-sparse masks of the "
                         "same CONTRACTS 1 rule, flex_attention compiled on CUDA (the ONNX export always uses sdpa)")
    ap.add_argument("--no-bf16", action="store_true", help="fp32 on CUDA instead of bf16 autocast")
    ap.add_argument("--full-checkpoint", action="store_true", help="fp32 checkpoint (exact resume, twice the bytes)")
    ap.add_argument("--lean-checkpoint", action="store_true",
                    help="leave the optimizer moments out of checkpoint.pt (half the bytes; resume restarts AdamW)")
    ap.add_argument("--trained-min-steps", type=int, default=1000,
                    help="model.json says trained: true only from this many total steps")
    ap.add_argument("--reserve-s", type=float, default=None, help="seconds kept for export (default 10%%, <= 60)")
    return ap.parse_args(argv)


def get_data(args: argparse.Namespace, rank: int) -> Path:
    if args.data is not None:
        return args.data
    folder = Path(os.environ.get("CONTEXTGEN_DATA_TMP") or tempfile.gettempdir()) / "contextgen-data"
    if rank == 0:
        folder.mkdir(parents=True, exist_ok=True)
        cmd = args.data_cmd.replace("{data}", str(folder))
        print(f"[data] {cmd}", file=sys.stderr, flush=True)
        subprocess.run(cmd, shell=True, check=True)
    if torch.distributed.is_initialized():
        torch.distributed.barrier()
    return folder


def open_dataset(folder: Path, cfg: ModelConfig):
    """IMIG-Synth shards (meta.json) or an IMIG-100K folder (*/segment_info.json)."""
    if (folder / "meta.json").exists():
        return ShardReader(folder)
    return Imig100kReader(folder, size=cfg.image_size, ref_size=cfg.limits.refMaxSide)


def decay_to_call_end(trainer: Trainer, batches: StepBatches, sft_steps: int, sft_end: float, run_to) -> None:
    """Train through the warmup (run_to(step)), measure the step rate over its second half, and set the
    cosine decay to end where this call's SFT time will: lr_decay_steps is then fixed (saved, so a resume
    continues the same schedule). Ranks agree on the smallest estimate."""
    tc = trainer.tcfg
    probe_end = min(sft_steps, trainer.step + max(20, tc.warmup_steps))
    run_to(trainer.step + (probe_end - trainer.step) // 2)
    t_mid, s_mid = time.monotonic(), trainer.step
    run_to(probe_end)
    rate = (trainer.step - s_mid) / max(time.monotonic() - t_mid, 1e-9)
    end = min(sft_steps, trainer.step + int(rate * max(0.0, sft_end - time.monotonic())))
    if torch.distributed.is_initialized():
        t = torch.tensor([end], device=trainer.device)
        torch.distributed.all_reduce(t, op=torch.distributed.ReduceOp.MIN)
        end = int(t.item())
    trainer.tcfg = dataclasses.replace(tc, lr_decay_steps=max(end, trainer.step + 1))
    print(f"[lr] cosine decay to step {trainer.tcfg.lr_decay_steps} ({rate:.2f} steps/s measured)", file=sys.stderr)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    t_start = time.monotonic()
    rank, world, local = dist_info()
    cuda = torch.cuda.is_available() and args.device != "cpu"
    device = torch.device(f"cuda:{local}" if cuda else "cpu")
    if world > 1:  # torchrun: NCCL across GPUs, gloo on CPU (how the tests check the DDP path)
        if cuda:
            torch.cuda.set_device(device)
        torch.distributed.init_process_group("nccl" if cuda else "gloo")
    ckpt = load_checkpoint(args.resume_from / "checkpoint.pt") if args.resume_from else None
    data_dir = get_data(args, rank)
    data = open_dataset(data_dir, ModelConfig.from_dict(ckpt["config"]) if ckpt else get_config(args.config))
    if ckpt is not None:
        cfg, tok, prov = ModelConfig.from_dict(ckpt["config"]), WordTokenizer(ckpt["vocab"]), ckpt["provenance"]
        tdict = dict(ckpt["train_config"], betas=tuple(ckpt["train_config"]["betas"]))
        if args.recipe == "defaults":
            tdict = dataclasses.asdict(TrainConfig(seed=tdict["seed"]))
    else:
        cfg, tok, prov = get_config(args.config), WordTokenizer.build(data.meta["vocab"]), {}
        tdict = dataclasses.asdict(TrainConfig(seed=args.seed))
    auto_batch = args.batch == "auto"
    overrides = {"batch_size": None if auto_batch or args.batch is None else int(args.batch), "lr": args.lr,
                 "dpo_beta": args.dpo_beta}
    tcfg = TrainConfig(**{**tdict, **{k: v for k, v in overrides.items() if v is not None}})
    trainer = Trainer(cfg, tcfg, len(tok), device, bf16=cuda and not args.no_bf16, compile=args.compile,
                      attention=args.attention, compile_dynamic=args.compile_dynamic)
    if ckpt is not None:
        trainer.load_state_dict(ckpt)
    del ckpt

    budget = args.minutes * 60
    reserve = args.reserve_s if args.reserve_s is not None else min(60.0, 0.1 * budget)
    end = t_start + budget - reserve
    sft_end = t_start + (budget - reserve) * (1 - args.dpo_fraction)
    workers = args.workers if args.workers is not None else (max(0, (os.cpu_count() or 2) - 2) if cuda else 0)
    buckets, lengths = None, None
    if args.group > 1 or args.buckets != "off":
        t_len = time.monotonic()
        lengths = dataset_lengths(data, cfg, tok, cache=data_dir if os.access(data_dir, os.W_OK) else None)
        print(f"[data] token lengths of {len(lengths)} samples in {time.monotonic() - t_len:.1f} s", file=sys.stderr)
    if args.buckets != "off" and (args.compile != "off" or args.buckets != "auto"):
        k_txt, k_img = (2, 4) if args.buckets == "auto" else (int(v) for v in args.buckets.split(","))
        buckets = fit_buckets(lengths, k_txt, k_img)
        print(f"[data] buckets: text {buckets.txt}, image {buckets.img}", file=sys.stderr)
    if auto_batch and cuda:
        longest = [int(i) for i in np.argsort(-lengths[:, 1])] if lengths is not None else list(range(len(data)))

        def make_batch(size: int):
            idx = (longest * (size // len(longest) + 1))[:size]
            return collate([process(data[i], cfg, tok) for i in idx], cfg, [False] * size, 16, buckets=buckets)

        size = largest_batch(cuda_fits(trainer, make_batch), [128, 192, 256, 384, 512, 768, 1024, 1536, 2048])
        tcfg = dataclasses.replace(tcfg, batch_size=size)
        trainer.tcfg = tcfg
        print(f"[batch] auto: {size} per GPU", file=sys.stderr)
    batches = StepBatches(data, cfg, tok, tcfg.batch_size, tcfg.seed, tcfg.cond_dropout, rank, world,
                          pad_multiple=16 if cuda else 1, buckets=buckets, lengths=lengths,
                          group=args.group if lengths is not None else 1)
    peak = peak_flops(torch.cuda.get_device_name(device)) if cuda else None
    log = MetricsLog(args.out / "train_log.jsonl" if rank == 0 else None)
    bar = ProgressLine(f"[{cfg.name}]") if rank == 0 else None
    step0, t_train = trainer.step, time.monotonic()
    if trainer.stage == "sft":
        sft_steps = min(args.max_steps, args.dpo_at_step or args.max_steps)
        if args.lr_decay == "auto":
            decay_to_call_end(trainer, batches, sft_steps, sft_end, lambda n: run(trainer, batches, n, sft_end, log, bar,
                                                                                 workers, peak))
        elif args.lr_decay != "off":
            trainer.tcfg = dataclasses.replace(trainer.tcfg, lr_decay_steps=int(args.lr_decay))
        run(trainer, batches, sft_steps, sft_end, log, bar, workers, peak)
        if (args.dpo_fraction > 0 or args.dpo_at_step is not None) and trainer.step < args.max_steps:
            trainer.start_dpo()
    if trainer.stage == "dpo":
        run(trainer, batches, args.max_steps, end, log, bar, workers, peak)
    train_s = time.monotonic() - t_train
    steps = trainer.step - step0

    summary: dict = {}
    if rank == 0:
        hardware = torch.cuda.get_device_name(device) if cuda else "cpu"
        prov = {**prov, "dataSeed": data.meta.get("seed", 0), "dataSamples": len(data),
                "steps": trainer.step, "wallSeconds": round(prov.get("wallSeconds", 0) + train_s, 1),
                "hardware": f"{world}x {hardware}", "config": cfg.name, "stage": trainer.stage,
                "samplesSeen": prov.get("samplesSeen", 0) + steps * tcfg.batch_size * world}
        name = args.name or ("embedded-pixel-s" if cfg.name == "embedded" else cfg.name)
        trained = trainer.step >= args.trained_min_steps
        desc = (f"Pixel-space ContextGen MMDiT ({cfg.name} config) trained on IMIG-Synth" if trained else
                f"ContextGen {cfg.name} config after only {trainer.step} steps: NOT a trained model")
        state = trainer.state_dict()
        if args.lean_checkpoint:
            state["optimizer"] = None
        state.update(vocab=tok.tokens, provenance=prov, export={"name": name, "trained": trained, "description": desc})
        args.out.mkdir(parents=True, exist_ok=True)
        files = save_checkpoint(state, args.out / "checkpoint.pt", compact=not args.full_checkpoint)
        ema = trainer.ema.float().cpu().eval()
        write_model_folder(args.out, cfg, ema.denoiser, ema.text_encoder, tok, name, trained, prov, desc)
        summary = {"steps_this_call": steps, "step": trainer.step, "stage": trainer.stage,
                   "train_seconds": round(train_s, 1), "samples_per_s": round(steps * tcfg.batch_size * world / max(train_s, 1e-9), 1),
                   "params": param_count(ema.denoiser), "text_encoder_params": param_count(ema.text_encoder),
                   "checkpoint_files": [f.name for f in files],
                   "checkpoint_bytes": sum(f.stat().st_size for f in files),
                   "parity_max_abs": onnx_parity(ema.denoiser, ema.text_encoder, args.out),
                   "total_seconds": round(time.monotonic() - t_start, 1), "device": prov["hardware"],
                   "attention": args.attention, "compile": args.compile, "batch": tcfg.batch_size,
                   "buckets": None if buckets is None else {"txt": list(buckets.txt), "img": list(buckets.img)},
                   "group": batches.group}
        (args.out / "run.json").write_text(json.dumps(summary, indent=2) + "\n")
        print(json.dumps(summary), file=sys.stderr)
    if world > 1:
        torch.distributed.destroy_process_group()
    return summary


if __name__ == "__main__":
    main()
