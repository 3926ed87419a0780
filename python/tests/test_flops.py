"""Counted FLOPs (utilisation in the training log): the shape formula against torch's FlopCounterMode."""

import torch
from torch.utils.flop_counter import FlopCounterMode

from contextgen_train.configs import get_config
from contextgen_train.dummy import DENOISER_INPUTS, dummy_inputs
from contextgen_train.flops import forward_flops, peak_flops
from contextgen_train.model import ContextGenDiT
from contextgen_train.text_encoder import TextEncoder


def test_forward_flops_match_the_counter_plus_dense_attention():
    for name, inst in (("tiny", 2), ("embedded", 4)):
        cfg = get_config(name)
        ex = dummy_inputs(cfg, batch=2, instances=inst)
        with FlopCounterMode(display=False) as fc, torch.no_grad():
            ContextGenDiT(cfg)(*(ex[k] for k in DENOISER_INPUTS))
        n_txt, n_img = ex["txt"].shape[1], ex["img"].shape[1]
        N = n_txt + n_img
        attn = 2 * 2 * N * N * cfg.hidden * (cfg.depth_double + cfg.depth_single) * 2  # the counter misses SDPA on CPU
        assert abs(forward_flops(cfg, 2, n_txt, n_img) / (fc.get_total_flops() + attn) - 1) < 0.01, name
        ids = torch.randint(3, 50, (5, 7))
        with FlopCounterMode(display=False) as fc, torch.no_grad():
            TextEncoder(cfg, 60)(ids)
        text_attn = 2 * 2 * 7 * 7 * cfg.text_dim * cfg.text_layers * 5
        assert abs(forward_flops(cfg, 0, 0, 0, 5, 7) / (fc.get_total_flops() + text_attn) - 1) < 0.01, name


def test_peak_flops(monkeypatch):
    monkeypatch.delenv("CONTEXTGEN_PEAK_TFLOPS", raising=False)
    assert peak_flops("NVIDIA H100 80GB HBM3") == 989e12 and peak_flops("cpu") is None
    monkeypatch.setenv("CONTEXTGEN_PEAK_TFLOPS", "2.5")
    assert peak_flops("cpu") == 2.5e12
