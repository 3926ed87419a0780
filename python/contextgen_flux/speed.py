"""Speed options of the published-model worker (spec/WORKER-PROTOCOL.md 5.1) and the hooks the sampler calls.

Options, each with a safe fallback:
- attention: auto (flex on CUDA when it works, dense on CPU) | dense (bool masks, SDPA) | flex (block-sparse)
- compile: off | blocks (torch.compile of the repeated blocks; a failure to compile falls back to eager)
- bucket: pad the sequence to a multiple of this many tokens (default 1024 with compile or flex, else 0 = none)
- promptCache: LRU entries of prompt embeddings (default 8; 0 = off)
- lora: fused (default) | unfused
Precedence: worker command line > model.json `flux.speed` > defaults."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from .compile_blocks import COMPILE, compile_blocks, pad_sequence, raise_recompile_limit
from .errors import WorkerError
from .flex_mask import ATTENTION, SpeedMasks, install_speed_processors, resolve_attention
from .prompt_cache import PromptCache

log = logging.getLogger("contextgen_flux")

LORA = ("fused", "unfused")
DEFAULT_BUCKET = 1024
MAX_BUCKET = 65536


@dataclass
class SpeedOptions:
    attention: str = "auto"
    compile: str = "off"
    bucket: int | None = None  # None: DEFAULT_BUCKET with compile, else 0
    prompt_cache: int = 8
    lora: str = "fused"
    compile_backend: str = "inductor"  # tests use "eager" / "aot_eager" to check guards without a C++ build

    def check(self, where: str) -> "SpeedOptions":
        def bad(msg: str) -> WorkerError:
            return WorkerError("bad-input", f"{where}: {msg}")

        if self.attention not in ATTENTION:
            raise bad(f"attention must be one of {', '.join(ATTENTION)} (got {self.attention!r}).")
        if self.compile not in COMPILE:
            raise bad(f"compile must be one of {', '.join(COMPILE)} (got {self.compile!r}).")
        if self.lora not in LORA:
            raise bad(f"lora must be one of {', '.join(LORA)} (got {self.lora!r}).")
        if self.bucket is not None and (type(self.bucket) is not int or not 0 <= self.bucket <= MAX_BUCKET):
            raise bad(f"bucket must be an integer number of tokens in 0..{MAX_BUCKET} (got {self.bucket!r}).")
        if type(self.prompt_cache) is not int or not 0 <= self.prompt_cache <= 1024:
            raise bad(f"promptCache must be an integer number of entries in 0..1024 (got {self.prompt_cache!r}).")
        return self

    def bucket_tokens(self, attention: str) -> int:
        """Explicit bucket, else DEFAULT_BUCKET when something compiles per sequence length (compiled blocks, or
        the flex kernel, compiled for each length it sees), else 0."""
        if self.bucket is not None:
            return self.bucket
        return DEFAULT_BUCKET if self.compile == "blocks" or attention == "flex" else 0


_JSON_KEYS = {"attention": "attention", "compile": "compile", "bucket": "bucket", "promptCache": "prompt_cache",
              "lora": "lora"}


def read_speed_options(model_json: Path | str | None, cli: dict | None = None) -> SpeedOptions:
    """model.json `flux.speed` (optional object), then the command line's non-None values on top."""
    opts: dict = {}
    if model_json is not None:
        doc = json.loads(Path(model_json).read_text(encoding="utf-8"))
        speed = (doc.get("flux") or {}).get("speed") if isinstance(doc, dict) else None
        if speed is not None:
            if not isinstance(speed, dict) or set(speed) - set(_JSON_KEYS):
                raise WorkerError("bad-input", f"{model_json}: `flux.speed` must be an object with keys among "
                                               f"{', '.join(_JSON_KEYS)} (got {speed!r}).")
            opts.update({_JSON_KEYS[k]: v for k, v in speed.items()})
    opts.update({k: v for k, v in (cli or {}).items() if v is not None})
    return SpeedOptions(**opts).check(str(model_json) if model_json else "speed options")


class SpeedPath:
    """Hooks for sampler.prepare: cached prompt embeddings, padded sequence, masks of the chosen attention."""

    def __init__(self, options: SpeedOptions, attention: str, reason: str, compiled: str) -> None:
        self.options = options
        self.attention = attention
        self.reason = reason
        self.compiled = compiled
        self.cache = PromptCache(options.prompt_cache)
        self.bucket = options.bucket_tokens(attention)

    def encode_prompt(self, pipe, prompt: str, device, max_sequence_length: int):
        return self.cache.encode_prompt(pipe, prompt, device, max_sequence_length)

    def sequence(self, ctx: torch.Tensor, img_ids: torch.Tensor, descriptors: list[torch.Tensor], n_main: int,
                 device) -> tuple[torch.Tensor, torch.Tensor, SpeedMasks]:
        ctx, img_ids, descriptors = pad_sequence(ctx, img_ids, descriptors, n_main, self.bucket)
        return ctx, img_ids, SpeedMasks.from_descriptors(*descriptors, device, self.attention)

    def facts(self) -> dict:
        o = asdict(self.options)
        return {"attention": self.attention, "attentionReason": self.reason, "compile": self.compiled,
                "bucket": self.bucket, "promptCache": o["prompt_cache"], "lora": o["lora"]}


def apply_speed(model, options: SpeedOptions) -> SpeedPath:
    """After load_model: install the processors that take SpeedMasks, compile if asked; sets model.speed."""
    attention, reason = resolve_attention(options.attention, model.device, model.dtype)
    t = model.pipe.transformer
    model.processors = install_speed_processors(t, model.kinds)
    if attention == "flex" or options.compile == "blocks":
        raise_recompile_limit()  # one graph per bucket (and mask kind): more than torch's default 8
    compiled = "off"
    if options.compile == "blocks":
        try:
            compile_blocks(t, backend=options.compile_backend)
            compiled = "blocks"
        except Exception as e:  # noqa: BLE001 - compiling is an optimisation: run eager, say why
            log.warning("torch.compile of the blocks failed, running eager: %s: %s", type(e).__name__, e)
            compiled = f"off ({type(e).__name__})"
    model.speed = SpeedPath(options, attention, reason, compiled)
    return model.speed
