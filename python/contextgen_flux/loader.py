"""Load FLUX.1-Kontext + the ContextGen LoRA with stock diffusers classes, by memory profile.

The LoRA is loaded by the pipeline's PEFT loader, then fused into the base weights and its PEFT layers dropped
(3.7 GB less, no per-layer LoRA matmuls); `fuse=False` keeps it unfused (tests compare the two).
- `full`: everything resident on the device; the LoRA is fused there.
- `offload`: LoRA fused on the CPU, then diffusers model CPU offload (one component on the GPU at a time: the
  23.8 GB transformer while denoising, without the LoRA's 3.7 GB on top).
- `fp8`: LoRA fused in bf16 on the CPU first, then torchao float8 weight-only quantisation of the transformer as
  it moves to the GPU (unfused LoRA on a quantised base is slow, PUBLISHED-MODEL.md); the rest resident.
On CPU only `full` runs (tests use float32)."""

from __future__ import annotations

import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .attention import ContextGenAttnProcessor, install_processors
from .errors import WorkerError
from .lora_check import check_lora
from .model_files import ModelSpec, check_files, layer_kinds

ADAPTER = "contextgen"
TEXT_TOKENS = 512  # T5 length of the official pipeline
TOKEN_SIZE = 16  # VAE /8 then 2x2 packing


@dataclass
class LoadedModel:
    pipe: object  # diffusers FluxKontextPipeline
    spec: ModelSpec
    lora_file: Path
    lora_facts: dict
    profile: str
    device: torch.device  # where the transformer computes
    dtype: torch.dtype
    kinds: list[str]
    processors: list[ContextGenAttnProcessor]
    fused: bool
    timings: dict = field(default_factory=dict)
    speed: object | None = None  # speed.SpeedPath once speed.apply_speed ran (sampler hooks), else None

    def facts(self) -> dict:
        import diffusers

        t = self.pipe.transformer
        return {"name": self.spec.name, "trained": self.spec.trained, "diffusers": str(self.spec.diffusers),
                "lora": str(self.lora_file), "loraRank": self.lora_facts["rank"],
                "loraModules": self.lora_facts["modules"], "loraFused": self.fused, "profile": self.profile,
                "device": str(self.device), "dtype": str(self.dtype).removeprefix("torch."),
                "doubleBlocks": len(t.transformer_blocks), "singleBlocks": len(t.single_transformer_blocks),
                "layerKinds": self.kinds, "tokenSize": TOKEN_SIZE, "textTokens": TEXT_TOKENS,
                "defaults": {"steps": 28, "guidance": 3.5},
                "versions": {"torch": torch.__version__, "diffusers": diffusers.__version__},
                **({"speed": self.speed.facts()} if self.speed is not None else {})}


def resolve_device(requested: str, profile: str) -> torch.device:
    cuda = torch.cuda.is_available()
    if requested not in ("auto", "cpu", "cuda"):
        raise WorkerError("bad-input", f"--device must be auto, cpu or cuda (got {requested!r}).")
    if requested == "cuda" and not cuda:
        raise WorkerError("cuda-missing", "--device cuda, but torch sees no CUDA device (torch "
                                          f"{torch.__version__}, built for CUDA {torch.version.cuda}). Check "
                                          "`nvidia-smi` and that the driver supports this CUDA build (python/README.md).")
    device = torch.device("cuda" if requested == "cuda" or (requested == "auto" and cuda) else "cpu")
    if device.type == "cpu" and profile != "full":
        raise WorkerError("cuda-missing", f"profile {profile!r} needs a CUDA GPU and none is available "
                                          f"(torch {torch.__version__}, CUDA build {torch.version.cuda}). On CPU "
                                          "use --profile full (slow: minutes per step for the real model).")
    return device


def _dtype(name: str) -> torch.dtype:
    return {"bfloat16": torch.bfloat16, "float32": torch.float32}[name]


def load_model(spec: ModelSpec, profile: str | None = None, device: str = "auto", dtype: str | None = None,
               fuse: bool | None = None) -> LoadedModel:
    """fuse: None or True = fuse the LoRA (every profile); False keeps the PEFT layers (full / offload only)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    profile = profile or spec.profile
    dt = _dtype(dtype or spec.dtype)
    dev = resolve_device(device, profile)
    fuse = True if fuse is None else fuse
    if profile == "fp8" and not fuse:
        raise WorkerError("bad-input", "profile fp8 fuses the LoRA before quantising; it cannot run unfused.")
    t0 = time.perf_counter()
    lora = check_files(spec)
    cfg = json.loads((spec.diffusers / "transformer" / "config.json").read_text())
    lora_facts = check_lora(lora, cfg)
    try:
        from diffusers import FluxKontextPipeline
    except ImportError as e:
        raise WorkerError("internal", f"diffusers is not importable ({e}). Install the published-model packages: "
                                      ".venv/bin/pip install -r python/requirements-published.txt") from e
    try:
        with warnings.catch_warnings():  # diffusers 0.42 renames torch_dtype -> dtype; 0.35 knows only torch_dtype
            warnings.simplefilter("ignore", FutureWarning)
            pipe = FluxKontextPipeline.from_pretrained(str(spec.diffusers), torch_dtype=dt, local_files_only=True)
    except (OSError, ValueError, EnvironmentError) as e:
        raise WorkerError("missing-files", f"{spec.diffusers}: diffusers could not load it ({e}).") from e
    timings = {"readSeconds": time.perf_counter() - t0}
    if profile == "full":
        pipe.to(dev)  # LoRA loads next to the weights, so fusing runs on the device
    pipe.load_lora_weights(str(lora.parent), weight_name=lora.name, adapter_name=ADAPTER)
    if fuse:
        pipe.fuse_lora(components=["transformer"], lora_scale=1.0, adapter_names=[ADAPTER])
        pipe.unload_lora_weights()  # drops the PEFT layers; the fused weights stay
    t = pipe.transformer
    kinds = layer_kinds(spec, len(t.transformer_blocks), len(t.single_transformer_blocks))
    processors = install_processors(t, kinds)
    if profile == "offload":
        pipe.enable_model_cpu_offload(device=dev)
    elif profile == "fp8":
        try:
            from torchao.quantization import Float8WeightOnlyConfig, quantize_
        except ImportError as e:
            raise WorkerError("internal", f"profile fp8 needs torchao ({e}): .venv/bin/pip install -r "
                                          "python/requirements-published.txt") from e
        quantize_(t, Float8WeightOnlyConfig(), device=dev)
        pipe.to(dev)
    t.eval()
    timings["loadSeconds"] = time.perf_counter() - t0
    return LoadedModel(pipe, spec, lora, lora_facts, profile, dev, dt, kinds, processors, fuse, timings)
