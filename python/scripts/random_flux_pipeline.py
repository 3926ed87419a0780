"""A FluxKontextPipeline of random weights (no downloads) around a given transformer, and an in-memory job, so a
whole generation can run through the worker's own sampler (contextgen_flux.sampler.generate) for timing.

Full size: T5-XXL v1.1 encoder (24 layers, 4096 wide, 4.8 B parameters), CLIP-L text model, the FLUX VAE (16 latent
channels); tiny: the sizes of make_tiny_flux.py. Tokenizers are make_tiny_flux's word-level ones (ids fit any
vocabulary; the token count, 512 for T5, is what costs). Weights: N(0, 0.02) straight on the device."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent


def _tiny_module():
    spec = importlib.util.spec_from_file_location("make_tiny_flux", HERE / "make_tiny_flux.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def randomize(module: torch.nn.Module, device, dtype, seed: int) -> torch.nn.Module:
    """Meta-built module -> on `device` in `dtype`, weights N(0, 0.02), 1-D weights 1, biases 0."""
    module = module.to(dtype).to_empty(device=device)
    g = torch.Generator(device=device).manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.ndim >= 2:
                p.normal_(0.0, 0.02, generator=g)
            elif name.endswith("weight"):
                p.fill_(1.0)
            else:
                p.zero_()
        for name, b in module.named_buffers():  # e.g. CLIP position ids
            if "position_ids" in name:
                b.copy_(torch.arange(b.shape[-1], device=device).expand_as(b))
    return module.eval()


def random_pipeline(transformer, tiny: bool, device, dtype, seed: int = 0):
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxKontextPipeline
    from transformers import CLIPTextConfig, CLIPTextModel, T5Config, T5EncoderModel

    tm = _tiny_module()
    clip_tok, clip_vocab = tm.word_tokenizer(77, "clip")
    t5_tok, t5_vocab = tm.word_tokenizer(512, "t5")
    if tiny:
        vae_kw = dict(block_out_channels=[4, 4, 4, 4], layers_per_block=1, latent_channels=4, norm_num_groups=1)
        clip_cfg = dict(vocab_size=clip_vocab, hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                        num_attention_heads=4, projection_dim=32)
        t5_cfg = dict(vocab_size=t5_vocab, d_model=32, d_ff=37, d_kv=8, num_layers=2, num_heads=4,
                      relative_attention_num_buckets=8)
    else:  # FLUX.1 VAE, CLIP ViT-L/14 text model, T5 v1.1 XXL encoder
        vae_kw = dict(block_out_channels=[128, 256, 512, 512], layers_per_block=2, latent_channels=16,
                      norm_num_groups=32)
        clip_cfg = dict(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                        num_attention_heads=12, projection_dim=768, hidden_act="quick_gelu")
        t5_cfg = dict(vocab_size=32128, d_model=4096, d_ff=10240, d_kv=64, num_layers=24, num_heads=64,
                      relative_attention_num_buckets=32, feed_forward_proj="gated-gelu")
    with torch.device("meta"):
        vae = AutoencoderKL(in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 4,
                            up_block_types=["UpDecoderBlock2D"] * 4, sample_size=32, scaling_factor=0.3611,
                            shift_factor=0.1159, use_quant_conv=False, use_post_quant_conv=False, **vae_kw)
        clip = CLIPTextModel(CLIPTextConfig(max_position_embeddings=77, pad_token_id=0, bos_token_id=2,
                                            eos_token_id=3, **clip_cfg))
        t5 = T5EncoderModel(T5Config(pad_token_id=0, eos_token_id=3, decoder_start_token_id=0, **t5_cfg))
    vae = randomize(vae, device, dtype, seed + 10)
    clip = randomize(clip, device, dtype, seed + 11)
    t5 = randomize(t5, device, dtype, seed + 12)
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=3.0, use_dynamic_shifting=True,
                                                base_shift=0.5, max_shift=1.15, base_image_seq_len=256,
                                                max_image_seq_len=4096)
    return FluxKontextPipeline(scheduler=scheduler, vae=vae, text_encoder=clip, tokenizer=clip_tok,
                               text_encoder_2=t5, tokenizer_2=t5_tok, transformer=transformer)


def job_inputs(plan, side: int, refs: list[tuple[int, int]], text: int, steps: int, seed: int = 0):
    """JobInputs for a TokenPlan: random layout / reference pixels of the plan's sizes (16 px per token)."""
    from contextgen_flux.job import JobInputs
    from contextgen_flux.job_plan import FluxPlan

    rng = np.random.default_rng(seed)
    px = lambda h, w: rng.uniform(-1, 1, (3, h, w)).astype(np.float32)  # noqa: E731
    hm = wm = side // 16
    fplan = FluxPlan(text_tokens=text, hm=hm, wm=wm, ref_grids=list(refs), seg=plan.seg, inst=plan.inst,
                     cover=plan.cover, valid=plan.valid, pos=plan.pos)
    return JobInputs(dir=Path("."), prompt="a cat and a dog on a sofa", width=side, height=side, seed=seed,
                     steps=steps, guidance=3.5, preview_every=0, plan=fplan, layout=px(side, side),
                     refs=[px(16 * h, 16 * w) for h, w in refs])
