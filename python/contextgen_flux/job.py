"""Read a job directory (spec/WORKER-PROTOCOL.md 4): job.json, layout.png, ref-K.png. Everything is checked
before any tensor work; file names are fixed, job.json carries no paths."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .errors import bad_input
from .job_plan import FluxPlan, parse_plan

FORMAT = "contextgen-flux-job/1"
JOB_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_SIDE = 4096
MAX_JOB_JSON = 64 * 1024 * 1024


@dataclass(frozen=True)
class JobInputs:
    dir: Path
    prompt: str
    width: int
    height: int
    seed: int
    steps: int
    guidance: float
    preview_every: int
    plan: FluxPlan
    layout: np.ndarray  # float32 [3, H, W] in [-1, 1], empty pixels 0
    refs: list[np.ndarray]  # float32 [3, h, w] each, outside the mask 0


def _number(doc: dict, key: str, lo: float, hi: float, integer: bool, default=None):
    v = doc.get(key, default)
    ok = isinstance(v, int) and not isinstance(v, bool) if integer else \
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    if not ok or not lo <= v <= hi:
        kind = "an integer" if integer else "a number"
        raise bad_input(f"job.json `{key}` must be {kind} in {lo}..{hi} (got {v!r}).")
    return v


def masked_pixels(path: Path, name: str, size: tuple[int, int], need_alpha: bool) -> np.ndarray:
    """RGB(A) PNG -> float32 [3, H, W]: RGB scaled to [-1, 1] times the alpha binarised at 0.5 (alpha >= 128),
    so the background is 0 = mid-grey (official pipeline_preprocess: image * binarised mask)."""
    if not path.is_file():
        raise bad_input(f"{name} is missing from the job directory {path.parent}.")
    try:
        with Image.open(path) as im:
            if im.size != size:
                raise bad_input(f"{name} is {im.size[0]}x{im.size[1]}; expected {size[0]}x{size[1]}.")
            has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
            if need_alpha and not has_alpha:
                raise bad_input(f"{name} has no alpha channel: a reference needs a mask (RGBA, alpha = mask).")
            rgba = np.asarray(im.convert("RGBA"), dtype=np.float32)
    except (OSError, Image.DecompressionBombError) as e:
        raise bad_input(f"{name}: not a readable image ({e}).") from e
    mask = (rgba[..., 3] >= 128).astype(np.float32)
    if need_alpha and not mask.any():
        raise bad_input(f"{name}: its mask (alpha) is empty: the reference would be invisible.")
    rgb = rgba[..., :3] / 127.5 - 1.0
    return np.ascontiguousarray((rgb * mask[..., None]).transpose(2, 0, 1))


def read_job(job_dir: str, token_size: int, text_tokens: int) -> JobInputs:
    d = Path(job_dir)
    if not d.is_absolute() or not d.is_dir():
        raise bad_input(f"job dir {job_dir!r} must be an absolute path to an existing directory.")
    jp = d / "job.json"
    if not jp.is_file():
        raise bad_input(f"{jp} is missing.")
    if jp.stat().st_size > MAX_JOB_JSON:
        raise bad_input(f"{jp} is larger than {MAX_JOB_JSON} bytes.")
    try:
        doc = json.loads(jp.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise bad_input(f"{jp}: not valid JSON ({e}).") from e
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise bad_input(f"{jp}: `format` must be {FORMAT!r}.")
    prompt = doc.get("prompt")
    if not isinstance(prompt, str) or len(prompt) > 20000:
        raise bad_input("job.json `prompt` must be a string (at most 20000 characters).")
    width = _number(doc, "width", 16, MAX_SIDE, True)
    height = _number(doc, "height", 16, MAX_SIDE, True)
    seed = _number(doc, "seed", 0, 2**63 - 1, True)
    steps = _number(doc, "steps", 1, 200, True, 28)
    guidance = float(_number(doc, "guidance", 0, 20, False, 3.5))
    preview_every = _number(doc, "previewEvery", 0, 200, True, 0)
    n_refs = _number(doc, "references", 0, 30, True)

    ref_sizes = []
    for k in range(n_refs):
        p = d / f"ref-{k}.png"
        if not p.is_file():
            raise bad_input(f"ref-{k}.png is missing from {d} (job.json says {n_refs} references).")
        try:
            with Image.open(p) as im:
                ref_sizes.append(im.size)
        except (OSError, Image.DecompressionBombError) as e:
            raise bad_input(f"ref-{k}.png: not a readable image ({e}).") from e
    plan = parse_plan(doc.get("plan"), width, height, ref_sizes, token_size, text_tokens)
    layout = masked_pixels(d / "layout.png", "layout.png", (width, height), need_alpha=False)
    refs = [masked_pixels(d / f"ref-{k}.png", f"ref-{k}.png", ref_sizes[k], need_alpha=True) for k in range(n_refs)]
    return JobInputs(d, prompt, width, height, seed, steps, guidance, preview_every, plan, layout, refs)
