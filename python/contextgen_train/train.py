"""Training: flow-matching SFT on main tokens, then Diffusion-DPO (winner = ground truth, loser = the
layout image, same noise and t, frozen reference = the SFT model). EMA weights, exact resume,
bf16 autocast + torch.compile on CUDA (flags), optional FlexAttention (`attention="flex"`),
DistributedDataParallel when WORLD_SIZE > 1."""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import time
from typing import Callable

import torch
from torch import Tensor, nn

from .configs import ModelConfig, TrainConfig
from .data import Batch, StepBatches
from .flops import batch_step_flops
from .losses import dpo_loss, noisy, per_sample_mse, sample_t
from .model import ContextGenDiT
from .progress import MetricsLog, ProgressLine
from .text_encoder import TextEncoder


class Net(nn.Module):
    """Text encoder + denoiser, trained jointly. `pairs=True` runs the image batch twice as large as
    the text batch (DPO: winners then losers share prompts and descriptors)."""

    def __init__(self, cfg: ModelConfig, vocab_size: int, attention: str = "sdpa"):
        super().__init__()
        self.text_encoder, self.denoiser = TextEncoder(cfg, vocab_size), ContextGenDiT(cfg, attention)

    def encode_text(self, prompt_ids: Tensor, phrase_ids: Tensor, txt_index: Tensor) -> Tensor:
        rows = [self.text_encoder(prompt_ids).flatten(0, 1)]  # [B*Lp, Dt]
        if phrase_ids.shape[0]:
            rows.append(self.text_encoder(phrase_ids).flatten(0, 1))  # [Q*Lph, Dt]
        rows.append(rows[0].new_zeros(1, rows[0].shape[-1]))  # PAD row
        return torch.cat(rows)[txt_index]  # [B, Ntxt, Dt]

    def forward(self, b: Batch, img: Tensor, t: Tensor, pairs: bool = False) -> Tensor:
        txt = self.encode_text(b.prompt_ids, b.phrase_ids, b.txt_index)  # [B, Ntxt, Dt]
        d = (txt, b.pos, b.seg, b.inst, b.cover, b.valid)
        if pairs:
            d = tuple(torch.cat((x, x)) for x in d)
        txt, pos, seg, inst, cover, valid = d
        return self.denoiser(txt, img, pos, seg, inst, cover, valid, t)  # [B', Nimg, Pd]


COMPILE_MODES = ("off", "model", "blocks")


def allow_recompiles(n: int) -> None:
    """One compiled graph per bucket shape (and per train/eval mode): raise dynamo's per-frame limit
    (default 8) so a run with many buckets never falls back to eager silently."""
    cfg = torch._dynamo.config
    for name in ("recompile_limit", "cache_size_limit"):
        if hasattr(cfg, name):
            setattr(cfg, name, max(getattr(cfg, name), n))


def dist_info() -> tuple[int, int, int]:
    """(rank, world, local_rank) from torchrun's environment; (0, 1, 0) otherwise."""
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)), int(os.environ.get("LOCAL_RANK", 0))


class Trainer:
    def __init__(self, cfg: ModelConfig, tcfg: TrainConfig, vocab_size: int, device: str | torch.device = "cpu",
                 bf16: bool = False, compile: bool | str = False, attention: str = "sdpa",
                 compile_backend: str = "inductor", compile_dynamic: bool = False):
        """compile: False/"off" (eager), True/"model" (the whole Net: most fusion, longest compile per shape),
        "blocks" (each transformer block; identical blocks share one compiled graph: short compiles).
        Compiled steps need static shapes: pad batches to buckets (data.collate(buckets=...)); one
        compilation per bucket, or one in all with compile_dynamic (symbolic token counts)."""
        self.cfg, self.tcfg, self.device = cfg, tcfg, torch.device(device)
        self.bf16, self.rank, self.world, _ = bf16, *dist_info()
        torch.manual_seed(tcfg.seed)
        self.attention = attention  # "sdpa" | "flex" (FlexAttention block masks; exports still use SDPA)
        if attention == "flex" and self.device.type != "cuda":
            raise ValueError(f"attention='flex' trains only on CUDA (torch {torch.__version__} has no FlexAttention "
                             f"backward on {self.device.type}); use attention='sdpa' (gpu_run --attention sdpa) here")
        self.net = Net(cfg, vocab_size, attention).to(self.device)
        self.ema = copy.deepcopy(self.net).requires_grad_(False)
        self.ref: Net | None = None
        self.stage, self.step, self.stage_start, self.lr_start = "sft", 0, 0, 0
        self.gen = torch.Generator(self.device).manual_seed(tcfg.seed + 7919 * self.rank)
        self.opt = self._optimizer(tcfg.lr)
        module: nn.Module = self.net
        if self.world > 1:
            module = nn.parallel.DistributedDataParallel(
                self.net, device_ids=[self.device.index] if self.device.type == "cuda" else None)
        self.compile = {False: "off", True: "model"}.get(compile, compile)  # type: ignore[arg-type]
        if self.compile not in COMPILE_MODES:
            raise ValueError(f"compile={compile!r}: use one of {COMPILE_MODES}")
        if self.compile != "off":
            allow_recompiles(64)
        self.fwd: Callable = module
        if self.compile == "model":
            self.fwd = torch.compile(module, dynamic=compile_dynamic, backend=compile_backend)
        elif self.compile == "blocks":
            for block in (*self.net.denoiser.double_blocks, *self.net.denoiser.single_blocks):
                block.compile(dynamic=compile_dynamic, backend=compile_backend)

    def _optimizer(self, lr: float) -> torch.optim.Optimizer:
        return torch.optim.AdamW(self.net.parameters(), lr=lr, betas=self.tcfg.betas, weight_decay=self.tcfg.weight_decay,
                                 fused=self.device.type in ("cuda", "cpu"))  # one fused kernel per step

    def lr(self) -> float:
        tc = self.tcfg
        base = tc.dpo_lr if self.stage == "dpo" else tc.lr
        warm = min(1.0, (self.step - self.lr_start + 1) / max(1, tc.warmup_steps))
        if self.stage == "dpo" or tc.lr_decay_steps <= 0:
            return base * warm
        start = self.lr_start + tc.warmup_steps  # cosine from the warmup's end to lr_decay_steps (global)
        frac = min(1.0, max(0.0, (self.step - start) / max(1, tc.lr_decay_steps - start)))
        return base * warm * (tc.lr_min_ratio + (1 - tc.lr_min_ratio) * 0.5 * (1 + math.cos(math.pi * frac)))

    def start_dpo(self) -> None:
        """Reference = frozen copy of the SFT (EMA) model; the policy starts from it too."""
        self.ref = copy.deepcopy(self.ema).requires_grad_(False).eval()
        self.net.load_state_dict(self.ema.state_dict())
        self.opt = self._optimizer(self.tcfg.dpo_lr)
        self.stage, self.stage_start, self.lr_start = "dpo", self.step, self.step

    def _autocast(self):
        return torch.autocast("cuda", dtype=torch.bfloat16, enabled=self.bf16 and self.device.type == "cuda")

    def train_step(self, batch: Batch) -> dict[str, float]:
        b, tc = batch.to(self.device), self.tcfg
        B, Nm = b.img.shape[0], b.n_main
        eps = torch.randn(b.x0.shape, generator=self.gen, device=self.device)  # [B, Nm, Pd]
        t = sample_t(B, tc.logit_normal_mean, tc.logit_normal_std, self.gen, self.device)  # [B]
        rest = b.img[:, Nm:]  # [B, Nimg - Nm, Pd] clean context tokens
        for g in self.opt.param_groups:
            g["lr"] = self.lr()
        out: dict[str, float] = {}
        with self._autocast():
            if self.stage == "sft":
                pred = self.fwd(b, torch.cat((noisy(b.x0, eps, t), rest), 1), t)  # [B, Nimg, Pd]
                loss = per_sample_mse(pred[:, :Nm], b.x0, eps).mean()
            else:
                img = torch.cat((torch.cat((noisy(b.x0, eps, t), rest), 1),
                                 torch.cat((noisy(b.layout, eps, t), rest), 1)))  # [2B, Nimg, Pd] winners, losers
                t2, eps2, x02 = torch.cat((t, t)), torch.cat((eps, eps)), torch.cat((b.x0, b.layout))
                lw, ll = per_sample_mse(self.fwd(b, img, t2, pairs=True)[:, :Nm], x02, eps2).chunk(2)  # [B] x2
                with torch.no_grad():
                    lw_ref, ll_ref = per_sample_mse(self.ref(b, img, t2, pairs=True)[:, :Nm], x02, eps2).chunk(2)
                loss = dpo_loss(lw, ll, lw_ref, ll_ref, tc.dpo_beta)
                out["dpo_acc"] = float((((lw - ll) - (lw_ref - ll_ref)) < 0).float().mean())
        loss.backward()
        if tc.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), tc.grad_clip)
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        self._ema_update()
        self.step += 1
        out.update(loss=float(loss.detach()), lr=self.lr())
        return out

    @torch.no_grad()
    def _ema_update(self) -> None:
        n = self.step - self.stage_start
        decay = min(self.tcfg.ema_decay, (1 + n) / (10 + n))
        torch._foreach_lerp_(list(self.ema.parameters()), list(self.net.parameters()), 1 - decay)

    def state_dict(self) -> dict:
        rng = {"gen": self.gen.get_state(), "gen_device": self.device.type, "torch": torch.get_rng_state()}
        if self.device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(self.device)
        return {"config": self.cfg.to_dict(), "train_config": dataclasses.asdict(self.tcfg),
                "stage": self.stage, "step": self.step, "stage_start": self.stage_start, "lr_start": self.lr_start,
                "net": self.net.state_dict(), "ema": self.ema.state_dict(),
                "ref": self.ref.state_dict() if self.ref is not None else None,
                "optimizer": self.opt.state_dict(), "rng": rng}

    def load_state_dict(self, s: dict) -> None:
        self.net.load_state_dict(s["net"])
        self.ema.load_state_dict(s["ema"])
        self.stage, self.step, self.stage_start, self.lr_start = s["stage"], s["step"], s["stage_start"], s["lr_start"]
        if self.stage == "dpo":
            self.ref = copy.deepcopy(self.ema).requires_grad_(False).eval()
            self.ref.load_state_dict(s["ref"])
        self.opt = self._optimizer(self.tcfg.dpo_lr if self.stage == "dpo" else self.tcfg.lr)
        if s["optimizer"] is not None:  # None: a lean checkpoint, AdamW restarts (warmup again)
            self.opt.load_state_dict(s["optimizer"])
        else:
            self.lr_start = self.step
        self._load_rng(s["rng"])

    def _load_rng(self, rng: dict) -> None:
        """Exact on the device that saved it; on another device (a GPU checkpoint resumed on CPU or the
        reverse) the generators' states do not fit each other, so the noise generator is re-seeded from
        (seed, rank, step): deterministic, but not the stream the saving device would have drawn."""
        cpu_state_bytes = torch.Generator().get_state().numel()  # a CUDA generator's state is 16 bytes
        saved = rng.get("gen_device") or ("cpu" if rng["gen"].numel() == cpu_state_bytes else "cuda")
        if saved == self.device.type:
            self.gen.set_state(rng["gen"])
        else:
            self.gen.manual_seed(self.tcfg.seed + 7919 * self.rank + 1_000_003 * self.step)
        torch.set_rng_state(rng["torch"])
        if "cuda" in rng and self.device.type == "cuda" and saved == "cuda":
            torch.cuda.set_rng_state(rng["cuda"], self.device)


def largest_batch(fits: Callable[[int], bool], sizes: list[int]) -> int:
    """The largest of `sizes` for which fits(size) holds, trying from the largest down (the first that fits
    wins: memory grows with the batch). Raises when none fits."""
    for b in sorted(sizes, reverse=True):
        if fits(b):
            return b
    raise RuntimeError(f"no batch size in {sorted(sizes)} fits; use a smaller --batch or a smaller config")


def cuda_fits(trainer: Trainer, make_batch: Callable[[int], Batch], share: float = 0.85) -> Callable[[int], bool]:
    """fits(size) for largest_batch: one eager forward + backward (DPO-sized: winners and losers) on a batch
    of the longest samples; fits when it neither runs out of memory nor peaks above `share` of the GPU."""
    dev = trainer.device

    def fits(size: int) -> bool:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(dev)
        try:
            b = make_batch(size).to(dev)
            t = torch.rand(size, device=dev)
            with trainer._autocast():
                out = trainer.net(b, torch.cat((b.img, b.img)), torch.cat((t, t)), pairs=True)
            out.float().square().mean().backward()
            ok = torch.cuda.max_memory_allocated(dev) < share * torch.cuda.get_device_properties(dev).total_memory
        except torch.cuda.OutOfMemoryError:
            ok = False
        trainer.net.zero_grad(set_to_none=True)
        torch.cuda.empty_cache()
        return ok

    return fits


def run(trainer: Trainer, batches: StepBatches, max_steps: int, deadline: float | None = None,
        log: MetricsLog | None = None, progress: ProgressLine | None = None, workers: int = 0,
        peak: float | None = None) -> int:
    """Train from trainer.step up to max_steps (global) or until time.monotonic() > deadline.
    Workers render batches ahead (prefetch_factor batches each). Every log row gives samples/s, the
    counted training TFLOP/s (flops.batch_step_flops), utilisation = that / `peak` when the peak is known,
    and data_wait: the share of the interval spent waiting for the next batch (0 = the loader keeps up).
    Returns the number of steps done."""
    start = trainer.step
    if start >= max_steps:
        return 0
    loader = torch.utils.data.DataLoader(batches, batch_size=None, sampler=range(start, max_steps),
                                         num_workers=workers, pin_memory=trainer.device.type == "cuda",
                                         prefetch_factor=4 if workers else None, persistent_workers=False)
    t0, last_t, last_step = time.monotonic(), time.monotonic(), start
    samples = batches.batch_size * batches.world
    flops = wait = 0.0
    it = iter(loader)
    while True:
        w0 = time.monotonic()
        try:
            batch = next(it)
        except StopIteration:
            break
        wait += time.monotonic() - w0
        flops += batch_step_flops(trainer.cfg, batch, trainer.stage == "dpo") * batches.world
        m = trainer.train_step(batch)
        now = time.monotonic()
        every = max(1, min(50, (max_steps - start) // 20))
        if trainer.step % every == 0 or trainer.step == max_steps:
            if trainer.device.type == "cuda":
                torch.cuda.synchronize(trainer.device)
                now = time.monotonic()
            dt = max(now - last_t, 1e-9)
            row = {"step": trainer.step, "stage": trainer.stage, **m,
                   "samples_per_s": round(samples * (trainer.step - last_step) / dt, 2),
                   "tflops": round(flops / dt / 1e12, 4), "data_wait": round(wait / dt, 3),
                   "elapsed_s": round(now - t0, 2)}
            if peak:
                row["mfu"] = round(flops / dt / peak, 4)
            if log is not None:
                log.write(row)
            if progress is not None:
                progress.update(trainer.step, max_steps, row, deadline)
            last_t, last_step, flops, wait = now, trainer.step, 0.0, 0.0
        if deadline is not None and now > deadline:
            break
    if progress is not None:
        progress.done()
    return trainer.step - start
