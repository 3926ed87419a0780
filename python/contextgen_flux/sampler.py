"""One generation (PUBLISHED-MODEL.md "One generation"): encode text and images, Euler over the shifted sigmas
with embedded guidance, predicting only the main tokens, decode. Deterministic for a seed: noise from a seeded
CPU generator, VAE latents from the distribution's mean (the official code samples them with the global RNG)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from diffusers.pipelines.flux.pipeline_flux_kontext import calculate_shift
from PIL import Image

from .attention import MaskSet
from .job import JobInputs
from .loader import LoadedModel
from .prompt import kontext_edit_prompt


class Cancelled(Exception):
    def __init__(self, step: int) -> None:
        super().__init__(f"cancelled after step {step}")
        self.step = step


@dataclass
class Prepared:
    prompt_embeds: torch.Tensor
    pooled: torch.Tensor
    txt_ids: torch.Tensor
    ctx: torch.Tensor  # packed latents of layout + references [1, N_ctx, C]
    img_ids: torch.Tensor  # float32 [N_img, 3]
    masks: MaskSet  # or flex_mask.SpeedMasks on the speed path
    guidance: torch.Tensor | None


def encode_image(pipe, pixels: np.ndarray, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """float32 [3, H, W] in [-1, 1] -> packed latents [1, H/16 * W/16, 4 * latent channels] from the mean."""
    x = torch.from_numpy(pixels)[None].to(device=device, dtype=dtype)
    z = pipe.vae.encode(x).latent_dist.mean
    z = (z - pipe.vae.config.shift_factor) * pipe.vae.config.scaling_factor
    return pipe._pack_latents(z, *z.shape)


def prepare(model: LoadedModel, job: JobInputs) -> Prepared:
    pipe, plan = model.pipe, job.plan
    dev = pipe._execution_device
    speed = model.speed  # speed.SpeedPath: prompt cache, bucket padding, dense or block-sparse masks (or None)
    if speed is not None:
        pe, pooled, txt_ids = speed.encode_prompt(pipe, kontext_edit_prompt(job.prompt), dev, plan.text_tokens)
    else:
        pe, pooled, txt_ids = pipe.encode_prompt(prompt=kontext_edit_prompt(job.prompt), prompt_2=None, device=dev,
                                                 max_sequence_length=plan.text_tokens)
    vdt = pipe.vae.dtype
    ctx = torch.cat([encode_image(pipe, job.layout, dev, vdt)]
                    + [encode_image(pipe, r, dev, vdt) for r in job.refs], dim=1).to(model.dtype)
    img_ids = torch.from_numpy(plan.pos[plan.text_tokens:]).to(device=dev, dtype=torch.float32)
    seg, inst, cover, valid = (torch.from_numpy(a) for a in (plan.seg, plan.inst, plan.cover, plan.valid))
    if speed is not None:
        ctx, img_ids, masks = speed.sequence(ctx, img_ids, [seg, inst, cover, valid], plan.n_main, model.device)
    else:
        masks = MaskSet.from_descriptors(seg, inst, cover, valid, model.device)
    guidance = torch.full([1], job.guidance, device=dev, dtype=torch.float32) \
        if pipe.transformer.config.guidance_embeds else None
    return Prepared(pe.to(model.dtype), pooled.to(model.dtype), txt_ids.float(), ctx, img_ids, masks, guidance)


def initial_noise(pipe, job: JobInputs, dtype: torch.dtype, device) -> torch.Tensor:
    """Packed N(0, 1) latents [1, Hm*Wm, C] from torch's CPU generator: the same on every device."""
    c = pipe.transformer.config.in_channels // 4
    h, w = 2 * job.plan.hm, 2 * job.plan.wm
    g = torch.Generator("cpu").manual_seed(job.seed)
    noise = torch.randn((1, c, h, w), generator=g, dtype=torch.float32)
    return pipe._pack_latents(noise, 1, c, h, w).to(device=device, dtype=dtype)


def set_shifted_timesteps(sched, n_main: int, steps: int, device) -> float:
    """sigmas linspace(1, 1/steps, steps), shifted by mu linear in the main token count (official pipeline_forward);
    returns mu."""
    mu = calculate_shift(n_main, sched.config.get("base_image_seq_len", 256),
                         sched.config.get("max_image_seq_len", 4096), sched.config.get("base_shift", 0.5),
                         sched.config.get("max_shift", 1.15))
    sched.set_timesteps(sigmas=np.linspace(1.0, 1 / steps, steps), device=device, mu=mu)
    sched.set_begin_index(0)
    return mu


def _fault(step: int) -> None:
    """Fault injection for supervisor tests: CONTEXTGEN_FLUX_FAULT=oom@K or exit@K acts before step K (1-based);
    slow@MS waits MS milliseconds before every step (a long job that stays running for queue tests)."""
    spec = os.environ.get("CONTEXTGEN_FLUX_FAULT", "")
    if "@" not in spec:
        return
    what, _, at = spec.partition("@")
    if what == "slow" and at.isdigit():
        time.sleep(int(at) / 1000)
        return
    if at.isdigit() and int(at) == step:
        if what == "oom":
            raise torch.OutOfMemoryError("CUDA out of memory (injected by CONTEXTGEN_FLUX_FAULT)")
        if what == "exit":
            os._exit(70)


def transformer_step(model: LoadedModel, prep: Prepared, latents: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Velocity of the main tokens: context tokens ride along clean, only the first Hm*Wm outputs are kept."""
    out = model.pipe.transformer(
        hidden_states=torch.cat([latents, prep.ctx], dim=1),
        timestep=(t.expand(latents.shape[0]).to(latents.dtype)) / 1000,
        guidance=prep.guidance, pooled_projections=prep.pooled, encoder_hidden_states=prep.prompt_embeds,
        txt_ids=prep.txt_ids, img_ids=prep.img_ids,
        joint_attention_kwargs={"contextgen_masks": prep.masks}, return_dict=False)[0]
    return out[:, :latents.shape[1]]


def decode(model: LoadedModel, latents: torch.Tensor, job: JobInputs) -> Image.Image:
    pipe = model.pipe
    z = pipe._unpack_latents(latents, job.height, job.width, pipe.vae_scale_factor)
    z = z / pipe.vae.config.scaling_factor + pipe.vae.config.shift_factor
    image = pipe.vae.decode(z.to(pipe.vae.dtype), return_dict=False)[0]
    return pipe.image_processor.postprocess(image, output_type="pil")[0]


@torch.inference_mode()
def generate(model: LoadedModel, job: JobInputs, cancelled: Callable[[], bool] = lambda: False,
             on_step: Callable[[int, int, Image.Image | None], None] = lambda s, n, p: None) -> tuple[Image.Image, dict]:
    """-> (image, timings). on_step(step, total, preview or None) after each step; raises Cancelled."""
    pipe = model.pipe
    t0 = time.perf_counter()
    prep = prepare(model, job)
    dev = pipe._execution_device
    latents = initial_noise(pipe, job, model.dtype, dev)
    n = job.steps
    sched = pipe.scheduler
    set_shifted_timesteps(sched, job.plan.n_main, n, dev)
    t1 = time.perf_counter()
    for i, t in enumerate(sched.timesteps):
        if cancelled():
            raise Cancelled(i)
        _fault(i + 1)
        v = transformer_step(model, prep, latents, t)
        sigma = sched.sigmas[i]
        preview = None
        if job.preview_every and ((i + 1) % job.preview_every == 0 or i + 1 == n):
            preview = decode(model, (latents.float() - sigma * v.float()).to(latents.dtype), job)
        latents = sched.step(v, t, latents, return_dict=False)[0]
        on_step(i + 1, n, preview)
    t2 = time.perf_counter()
    image = decode(model, latents, job)
    t3 = time.perf_counter()
    if hasattr(pipe, "maybe_free_model_hooks"):
        pipe.maybe_free_model_hooks()
    return image, {"prepareSeconds": round(t1 - t0, 4), "denoiseSeconds": round(t2 - t1, 4),
                   "decodeSeconds": round(t3 - t2, 4), "totalSeconds": round(t3 - t0, 4)}
