"""`torch.compile` of the repeated transformer blocks, with sequence-length buckets.

Regional compilation (diffusers `compile_repeated_blocks`): each FluxTransformerBlock / FluxSingleTransformerBlock
is compiled with `dynamic=False`; parameters are graph inputs, so all blocks of a class and mask kind share one
graph. A graph is specialised to one sequence length, so the image sequence (main + layout + references) is padded
at the end to a multiple of `bucket` tokens: padding tokens get the PAD descriptor, which only PAD tokens read
(CONTRACTS 1), so real tokens never see them; their outputs are dropped with the context tokens'. A new request
of the same bucket reuses the compiled graphs; only a new bucket compiles (about 1 s per graph on the tiny model,
tens of seconds per graph for the real one)."""

from __future__ import annotations

import logging

import torch

from contextgen_train.masks import PAD

log = logging.getLogger("contextgen_flux")

COMPILE = ("off", "blocks")
RECOMPILE_LIMIT = 64  # graphs per block class: buckets x mask kinds (the default 8 would fall back to eager)


def bucket_length(n: int, bucket: int) -> int:
    """Smallest multiple of `bucket` >= n (n itself when bucket is 0)."""
    if bucket < 0:
        raise ValueError(f"bucket must be >= 0 tokens (got {bucket})")
    return n if bucket == 0 else -(-n // bucket) * bucket


def pad_sequence(ctx: torch.Tensor, img_ids: torch.Tensor, descriptors: list[torch.Tensor], n_main: int,
                 bucket: int) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    """Pad the whole sequence (text + main + ctx, as the descriptors count it) to a bucket by appending tokens to
    the context: ctx [1, N_ctx, C] zeros, img_ids [N_img, 3] zeros, descriptors (seg, inst, cover, valid) [N] with
    (PAD, -1, 0, 0). Returns them unchanged when already a multiple."""
    n = descriptors[0].shape[-1]
    extra = bucket_length(n, bucket) - n
    if extra == 0:
        return ctx, img_ids, descriptors
    if img_ids.shape[0] != n_main + ctx.shape[1]:
        raise ValueError(f"img_ids has {img_ids.shape[0]} rows for {n_main} main + {ctx.shape[1]} context tokens")
    ctx = torch.cat([ctx, ctx.new_zeros(ctx.shape[0], extra, ctx.shape[2])], dim=1)
    img_ids = torch.cat([img_ids, img_ids.new_zeros(extra, img_ids.shape[1])], dim=0)
    fills = (PAD, -1, 0, 0)
    descriptors = [torch.cat([d.reshape(-1), d.new_full((extra,), v)]) for d, v in zip(descriptors, fills)]
    return ctx, img_ids, descriptors


def raise_recompile_limit() -> None:
    import torch._dynamo

    cfg = torch._dynamo.config
    name = "recompile_limit" if hasattr(cfg, "recompile_limit") else "cache_size_limit"
    setattr(cfg, name, max(getattr(cfg, name), RECOMPILE_LIMIT))


def compile_blocks(transformer, backend: str = "inductor", mode: str | None = None) -> None:
    """Compile every repeated block in place (lazily: the first forward of each shape compiles)."""
    import torch._dynamo

    raise_recompile_limit()
    # a graph that fails to compile at its first call runs eager (dynamo logs why)
    torch._dynamo.config.suppress_errors = True
    kw = {"dynamic": False, "backend": backend}
    if mode is not None:
        kw["mode"] = mode
    transformer.compile_repeated_blocks(**kw)
    log.info("compiled repeated blocks (backend %s, mode %s)", backend, mode or "default")
