"""Test helpers for the FLUX worker: the tiny model folder (session-wide) and job directories written the way the
TypeScript side writes them (spec/WORKER-PROTOCOL.md 4), with the plan from contextgen_train.plan (the Python
port of the TypeScript token plan, kept equal by the golden vectors)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from contextgen_train.plan import RefGrid, token_plan

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / ".cache" / "tiny-flux"
P = 16


def ensure_tiny_flux() -> Path:
    """Build .cache/tiny-flux once (idempotent script; ~20 s on 2 cores) and return its model.json."""
    script = REPO / "python" / "scripts" / "make_tiny_flux.py"
    subprocess.run([sys.executable, str(script), str(TINY)], check=True, env={"HF_HUB_OFFLINE": "1",
                                                                             "PATH": "/usr/bin:/bin"})
    return TINY / "model.json"


def blob_rgba(h: int, w: int, seed: int) -> np.ndarray:
    """A coloured ellipse on transparency: uint8 [h, w, 4]."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    inside = ((y - h / 2) / (h * 0.45)) ** 2 + ((x - w / 2) / (w * 0.4)) ** 2 <= 1
    img = np.zeros((h, w, 4), np.uint8)
    img[..., :3] = rng.integers(0, 256, 3) * 0.7 + rng.integers(0, 77, (h, w, 3))
    img[..., 3] = np.where(inside, 255, 0)
    return img


def valid_cells(alpha: np.ndarray) -> np.ndarray:
    """bool [h/P, w/P]: any alpha >= 128 pixel in the P x P cell (the TypeScript valid rule)."""
    h, w = alpha.shape
    return (alpha >= 128).reshape(h // P, P, w // P, P).any(axis=(1, 3))


def write_job(d: Path, width: int, height: int, boxes: list, refs: list[np.ndarray], prompt: str = "a cat and a dog",
              seed: int = 7, steps: int = 2, text_tokens: int = 512, preview_every: int = 0, **overrides) -> Path:
    """refs: uint8 RGBA [h, w, 4] with sides multiples of P. Layout: each reference stretched into its box."""
    d.mkdir(parents=True, exist_ok=True)
    layout = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    for (x1, y1, x2, y2), ref in zip(boxes, refs):
        im = Image.fromarray(ref, "RGBA").resize((int(x2 - x1), int(y2 - y1)), Image.BILINEAR)
        layout.alpha_composite(im, (int(x1), int(y1)))
    layout.save(d / "layout.png")
    grids = []
    for k, ref in enumerate(refs):
        Image.fromarray(ref, "RGBA").save(d / f"ref-{k}.png")
        v = valid_cells(ref[..., 3])
        grids.append(RefGrid(v.shape[0], v.shape[1], v))
    plan = token_plan(width, height, P, text_tokens, [0] * len(boxes), boxes, grids)
    doc = {"format": "contextgen-flux-job/1", "prompt": prompt, "width": width, "height": height, "seed": seed,
           "steps": steps, "guidance": 3.5, "previewEvery": preview_every, "references": len(refs),
           "plan": {"tokenSize": P, "textTokens": text_tokens, "seg": plan.seg.tolist(), "inst": plan.inst.tolist(),
                    "cover": plan.cover.tolist(), "valid": plan.valid.tolist(), "pos": plan.pos.tolist()}}
    doc.update(overrides)
    (d / "job.json").write_text(json.dumps(doc))
    return d


def standard_job(d: Path, **kw) -> Path:
    """128 x 128, two overlapping instances with references (the e2e case of the issue)."""
    return write_job(d, 128, 128, [[8, 16, 80, 112], [56, 40, 124, 120]],
                     [blob_rgba(64, 48, 1), blob_rgba(48, 64, 2)], **kw)
