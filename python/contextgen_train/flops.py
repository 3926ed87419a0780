"""Parameter count and FLOPs per denoising step (one denoiser forward, batch 1) for a config.

    python -m contextgen_train.flops --config embedded --instances 4
"""

from __future__ import annotations

import argparse
import json

import torch
from torch.utils.flop_counter import FlopCounterMode

from .configs import REGISTRY, get_config
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


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="embedded", choices=sorted(REGISTRY))
    ap.add_argument("--instances", type=int, default=4)
    ap.add_argument("--size", type=int, default=None)
    a = ap.parse_args()
    print(json.dumps(flops_report(a.config, a.instances, a.size), indent=2))
