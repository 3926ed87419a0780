"""Named model and training configs, as data (a registry of frozen dataclasses).

`get_config(name)` returns a checked `ModelConfig`; `check()` raises a `ValueError` that names the
field, the limit and the fix. Layer kinds follow DESIGN 1: every double block CLA, single blocks
first half ICA, second half CLA, unless a config lists them explicitly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

LAYER_KINDS = ("cla", "ica")
HEADS = ("linear", "conv")  # output head: per-token linear unpatchify, or + a 3x3 conv over pixels (SeamHead)


@dataclass(frozen=True)
class Limits:
    """Request limits written to the manifest (CONTRACTS 4)."""

    maxInstances: int = 8
    minSide: int = 64
    maxSide: int = 256
    maxTokens: int = 2048
    refArea: int = 4096
    refMaxSide: int = 96
    maxTextTokens: int = 32
    maxPhraseTokens: int = 6


@dataclass(frozen=True)
class Shift:
    baseTokens: int = 256
    maxTokens: int = 4096
    baseShift: float = 0.5
    maxShift: float = 1.15


@dataclass(frozen=True)
class Sampling:
    steps: int = 12
    guidance: float = 1.0
    shift: Shift = field(default_factory=Shift)


@dataclass(frozen=True)
class ModelConfig:
    name: str
    token_size: int  # P: pixels per token side (pixel-space model, no VAE)
    hidden: int  # transformer width
    heads: int
    depth_double: int
    depth_single: int
    axes_dim: tuple[int, int, int]  # RoPE dims per position axis, sum = head dim
    mlp_ratio: float = 4.0
    channels: int = 3
    text_dim: int = 128  # Dt: text encoder width
    text_layers: int = 2
    text_heads: int = 4
    text_mlp_ratio: float = 2.0
    image_size: int = 128  # default training / generation side
    layer_kinds: tuple[str, ...] | None = None  # one per block (double then single); None = DESIGN 1 default
    head: str = "linear"  # HEADS; "conv" removes the seams between token patches (layers.SeamHead)
    limits: Limits = field(default_factory=Limits)
    sampling: Sampling = field(default_factory=Sampling)

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads

    @property
    def patch_dim(self) -> int:
        return self.token_size * self.token_size * self.channels

    @property
    def kinds(self) -> tuple[str, ...]:
        """Layer kind per block, double blocks first."""
        if self.layer_kinds is not None:
            return self.layer_kinds
        half = self.depth_single // 2
        return ("cla",) * self.depth_double + ("ica",) * half + ("cla",) * (self.depth_single - half)

    def check(self) -> "ModelConfig":
        def bad(field_name: str, msg: str) -> ValueError:
            return ValueError(f"config '{self.name}': {field_name} {msg}")

        if self.hidden % self.heads != 0:
            raise bad("hidden", f"({self.hidden}) must be divisible by heads ({self.heads}); change one of them")
        if sum(self.axes_dim) != self.head_dim:
            raise bad("axes_dim", f"{self.axes_dim} must sum to the head dim hidden/heads = {self.head_dim}")
        if any(d % 2 for d in self.axes_dim):
            raise bad("axes_dim", f"{self.axes_dim} entries must be even (RoPE rotates pairs)")
        if self.depth_double < 0 or self.depth_single < 0 or self.depth_double + self.depth_single == 0:
            raise bad("depth_double/depth_single", "need at least one block and no negative depth")
        kinds = self.kinds
        if len(kinds) != self.depth_double + self.depth_single:
            raise bad("layer_kinds", f"has {len(kinds)} entries, expected depth_double + depth_single = "
                      f"{self.depth_double + self.depth_single}")
        if any(k not in LAYER_KINDS for k in kinds):
            raise bad("layer_kinds", f"{kinds} may only contain {LAYER_KINDS}")
        if self.text_dim % self.text_heads != 0:
            raise bad("text_dim", f"({self.text_dim}) must be divisible by text_heads ({self.text_heads})")
        if self.image_size % self.token_size != 0:
            raise bad("image_size", f"({self.image_size}) must be a multiple of token_size ({self.token_size})")
        if self.head not in HEADS:
            raise bad("head", f"'{self.head}' is not known: use one of {HEADS}")
        lim = self.limits
        if lim.refArea < self.token_size**2 or lim.refMaxSide < self.token_size:
            raise bad("limits", f"refArea/refMaxSide must hold at least one {self.token_size}px token")
        if lim.maxInstances > 30:
            raise bad("limits.maxInstances", f"({lim.maxInstances}) exceeds 30, the cover bitset width (CONTRACTS 1)")
        return self

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["layer_kinds"] = list(self.kinds)
        d["axes_dim"] = list(self.axes_dim)
        return d

    @staticmethod
    def from_dict(d: dict) -> "ModelConfig":
        d = dict(d)
        d["axes_dim"] = tuple(d["axes_dim"])
        d["layer_kinds"] = tuple(d["layer_kinds"]) if d.get("layer_kinds") is not None else None
        d["limits"] = Limits(**d.get("limits", {}))
        s = dict(d.get("sampling", {}))
        s["shift"] = Shift(**s.get("shift", {}))
        d["sampling"] = Sampling(**s)
        return ModelConfig(**d).check()


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation recipe. Stage 'sft' = flow matching; 'dpo' = Diffusion-DPO against a frozen SFT copy."""

    batch_size: int = 32
    # Recipe chosen by the CPU proxy (python/scripts/proxy_recipes.py, python/README.md): peak 1e-3, short warmup,
    # cosine decay (gpu_run --lr-decay auto sets lr_decay_steps to the call's end) beat constant 3e-4 after a
    # 200-step warmup by -0.117 held-out v-MSE at equal FLOPs.
    lr: float = 1e-3
    weight_decay: float = 0.0
    betas: tuple[float, float] = (0.9, 0.99)
    warmup_steps: int = 50
    lr_decay_steps: int = 0  # > 0: cosine decay of the SFT learning rate from the warmup's end to this global step
    lr_min_ratio: float = 0.1  # the decayed learning rate's floor, a share of lr
    grad_clip: float = 1.0
    ema_decay: float = 0.999
    cond_dropout: float = 0.1  # drop prompt + phrases with this probability (enables CFG)
    logit_normal_mean: float = 0.0
    logit_normal_std: float = 1.0
    # Per-sample losses are means over pixels. DESIGN 1 had 1000; the proxy preferred DPO placed later (the last
    # 5 % of a call: gpu_run --dpo-fraction 0.05) with beta 100 (-0.013 held-out v-MSE on top of the cosine recipe).
    dpo_beta: float = 100.0
    dpo_lr: float = 2e-5
    seed: int = 0


TINY = ModelConfig(
    name="tiny", token_size=8, hidden=32, heads=2, depth_double=2, depth_single=2, axes_dim=(4, 6, 6),
    mlp_ratio=2.0, text_dim=16, text_layers=1, text_heads=2, image_size=32,
    limits=Limits(maxInstances=4, minSide=16, maxSide=64, maxTokens=512, refArea=256, refMaxSide=32,
                  maxTextTokens=16, maxPhraseTokens=4),
    sampling=Sampling(steps=4),
)

EMBEDDED = ModelConfig(
    # Width 192 (not 256): half the FLOPs and bytes for the same depth. With minutes of GPU time the model is
    # data/compute-limited, not capacity-limited; 4.4 M parameters keep CPU sampling under 5 s and let the model
    # folder (fp32 ONNX + bf16 resume checkpoint) travel to the GPU machine beside the data renderer (64 MiB).
    name="embedded", token_size=8, hidden=192, heads=3, depth_double=2, depth_single=4, axes_dim=(16, 24, 24),
    mlp_ratio=3.0, text_dim=128, text_layers=2, text_heads=4, image_size=128,
    limits=Limits(maxInstances=8, minSide=64, maxSide=256, maxTokens=2048, refArea=4096, refMaxSide=96,
                  maxTextTokens=32, maxPhraseTokens=6),
)

FLUX_DIMS = ModelConfig(
    name="flux-dims", token_size=16, hidden=3072, heads=24, depth_double=19, depth_single=38,
    axes_dim=(16, 56, 56), mlp_ratio=4.0, text_dim=4096, text_layers=0, text_heads=32, image_size=1024,
    limits=Limits(maxInstances=8, minSide=256, maxSide=1536, maxTokens=16384, refArea=512 * 512,
                  refMaxSide=1024, maxTextTokens=512, maxPhraseTokens=16),
    sampling=Sampling(steps=28, guidance=2.5, shift=Shift(256, 4096, 0.5, 1.15)),
)

REGISTRY: dict[str, ModelConfig] = {c.name: c for c in (TINY, EMBEDDED, FLUX_DIMS)}


def get_config(name: str) -> ModelConfig:
    if name not in REGISTRY:
        raise ValueError(f"unknown config '{name}'; choose one of {sorted(REGISTRY)}")
    return REGISTRY[name].check()
