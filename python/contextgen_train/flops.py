"""Parameter count and FLOPs per denoising step (one denoiser forward, batch 1) for a config.

    python -m contextgen_train.flops --config embedded --instances 4
"""

from __future__ import annotations

import argparse
import json

import torch
from torch.utils.flop_counter import FlopCounterMode

from .configs import REGISTRY, ModelConfig, get_config
from .dummy import DENOISER_INPUTS, dummy_inputs
from .masks import attention_masks
from .model import ContextGenDiT, param_count
from .text_encoder import TextEncoder


def flops_report(name: str, instances: int = 4, size: int | None = None, text_tokens: int = 16,
                 phrase_tokens: int = 3, vocab: int = 2000) -> dict:
    cfg = get_config(name)
    device = "meta" if name == "flux-dims" else "cpu"
    with torch.device(device):
        model, enc = ContextGenDiT(cfg), TextEncoder(cfg, vocab)
    ex = {k: v.to(device) for k, v in dummy_inputs(cfg, 1, instances, size, text_tokens, phrase_tokens).items()}
    with FlopCounterMode(display=False) as fc, torch.no_grad():
        model(*(ex[k] for k in DENOISER_INPUTS))
    plain = dummy_inputs(cfg, 1, instances, size, text_tokens, phrase_tokens)
    cla, ica = attention_masks(plain["seg"], plain["inst"], plain["cover"], plain["valid"])
    n = ex["seg"].shape[1]
    layers = cfg.depth_double + cfg.depth_single
    attn = 4 * n * n * cfg.hidden * layers  # QK^T and AV, dense (the counter does not see masked SDPA)
    matmul = fc.get_total_flops()
    return {"config": name, "size": size or cfg.image_size, "instances": instances,
            "tokens": {"total": n, "text": ex["txt"].shape[1], "image": ex["img"].shape[1]},
            "denoiser_params": param_count(model), "text_encoder_params": param_count(enc),
            "gflops_per_step": round((matmul + attn) / 1e9, 3),
            "gflops_linear": round(matmul / 1e9, 3), "gflops_attention_dense": round(attn / 1e9, 3),
            "mask_density": {"cla": round(float(cla.float().mean()), 3), "ica": round(float(ica.float().mean()), 3)}}


def forward_flops(cfg: ModelConfig, batch: int, n_txt: int, n_img: int, text_rows: int = 0, text_len: int = 0) -> float:
    """Matmul FLOPs (2 per multiply-add) of one denoiser + text encoder forward, counted from the shapes:
    every linear layer per token, QK^T and AV dense over N = n_txt + n_img (SDPA computes masked scores
    too), the per-sample time MLP and modulations, the text encoder over `text_rows` sequences of `text_len`
    ids. Elementwise work (norms, RoPE, softmax) is left out."""
    h, m, P = cfg.hidden, int(cfg.hidden * cfg.mlp_ratio), cfg.patch_dim
    N = n_txt + n_img
    macs = n_img * P * h + n_txt * cfg.text_dim * h + n_img * h * P  # img_in, txt_in, final linear
    macs += cfg.depth_double * N * (4 * h * h + 2 * h * m)  # qkv + proj + MLP, either stream
    macs += cfg.depth_single * N * (h * (3 * h + m) + (h + m) * h)  # linear1, linear2
    macs += (cfg.depth_double + cfg.depth_single) * 2 * N * N * h  # QK^T, AV
    if batch:  # per-sample vectors: time MLP, block modulations, final adaLN
        macs += 256 * h + h * h + cfg.depth_double * 2 * h * 6 * h + cfg.depth_single * h * 3 * h + h * 2 * h
    dt, mt = cfg.text_dim, int(cfg.text_dim * cfg.text_mlp_ratio)
    macs_text = cfg.text_layers * text_rows * (text_len * (4 * dt * dt + 2 * dt * mt) + 2 * text_len * text_len * dt)
    return 2.0 * (batch * macs + macs_text)


def batch_step_flops(cfg: ModelConfig, batch, dpo: bool = False) -> float:
    """Training FLOPs of one step on a collated Batch: forward + backward = 3 forwards; a DPO step runs the
    policy on winners and losers (2B, with backward) and the frozen reference forward on both."""
    B, n_txt, n_img = batch.img.shape[0], batch.txt_index.shape[1], batch.img.shape[1]
    f_img = forward_flops(cfg, B, n_txt, n_img)
    f_txt = (forward_flops(cfg, 0, 0, 0, *batch.prompt_ids.shape) + forward_flops(cfg, 0, 0, 0, *batch.phrase_ids.shape))
    if dpo:
        return 3 * (2 * f_img + f_txt) + 2 * f_img + f_txt
    return 3 * (f_img + f_txt)


PEAK_TFLOPS = {"H100": 989.0, "H200": 989.0, "H800": 989.0, "A100": 312.0, "L40S": 362.0, "A10": 125.0}


def peak_flops(device_name: str) -> float | None:
    """Dense bf16 tensor-core peak of a known GPU (FLOP/s); env CONTEXTGEN_PEAK_TFLOPS overrides; None if unknown."""
    import os

    if os.environ.get("CONTEXTGEN_PEAK_TFLOPS"):
        return float(os.environ["CONTEXTGEN_PEAK_TFLOPS"]) * 1e12
    for key, tf in PEAK_TFLOPS.items():
        if key in device_name:
            return tf * 1e12
    return None


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="embedded", choices=sorted(REGISTRY))
    ap.add_argument("--instances", type=int, default=4)
    ap.add_argument("--size", type=int, default=None)
    a = ap.parse_args()
    print(json.dumps(flops_report(a.config, a.instances, a.size), indent=2))
