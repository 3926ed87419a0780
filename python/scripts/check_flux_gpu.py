"""Device check of the FLUX worker's memory profiles on the tiny random folder: load, a same-seed job twice, peak
memory, timings; CUDA vs CPU transformer parity in fp32. Prints JSON (and writes it to --out when given).

    PYTHONPATH=python python python/scripts/check_flux_gpu.py [--profiles full,offload,fp8] [--size 256] \
        [--steps 4] [--device cuda] [--out DIR]

Needs python/requirements-published.txt installed on the device machine (it cannot download: carry wheels).
`--device cpu --profiles full` runs the same code here as a dry run. Not run on a GPU yet.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "tests"), str(Path(__file__).resolve().parents[1])]

import torch  # noqa: E402
from flux_helpers import blob_rgba, ensure_tiny_flux, write_job  # noqa: E402

from contextgen_flux.job import read_job  # noqa: E402
from contextgen_flux.loader import TEXT_TOKENS, TOKEN_SIZE, load_model  # noqa: E402
from contextgen_flux.model_files import read_model_json  # noqa: E402
from contextgen_flux.sampler import generate  # noqa: E402


def run_profile(spec, profile: str, device: str, dtype: str, job_dir: Path) -> dict:
    cuda = device == "cuda"
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    model = load_model(spec, profile=profile, device=device, dtype=dtype)
    load_s = time.perf_counter() - t0
    job = read_job(str(job_dir), TOKEN_SIZE, TEXT_TOKENS)
    images, timings = [], []
    for _ in range(2):
        img, tm = generate(model, job)
        images.append(img.tobytes())
        timings.append(tm)
    out = {"profile": profile, "dtype": dtype, "loadSeconds": round(load_s, 3), "jobs": timings,
           "sameSeedSameBytes": images[0] == images[1]}
    if cuda:
        out["peakAllocatedBytes"] = torch.cuda.max_memory_allocated()
    del model
    return out


def transformer_parity(spec, device: str) -> float:
    """fp32 transformer output on `device` vs CPU for one random input (same weights, same masks)."""
    from contextgen_flux.attention import MaskSet
    from contextgen_train.plan import RefGrid, token_plan
    import numpy as np

    plan = token_plan(64, 48, 16, 8, [0, 0], [[0, 0, 48, 40], [16, 8, 64, 48]],
                      [RefGrid(2, 2, np.ones((2, 2), bool)), RefGrid(1, 3, np.array([[1, 0, 1]], bool))])
    g = torch.Generator().manual_seed(0)
    n = len(plan.seg) - 8
    inputs = dict(hidden_states=torch.randn(1, n, 16, generator=g), encoder_hidden_states=torch.randn(1, 8, 32,
                  generator=g), pooled_projections=torch.randn(1, 32, generator=g), timestep=torch.tensor([0.5]),
                  guidance=torch.tensor([3.5]), txt_ids=torch.zeros(8, 3), img_ids=torch.from_numpy(plan.pos[8:]).float())
    outs = []
    for dev in ("cpu", device):
        m = load_model(spec, profile="full", device=dev, dtype="float32")
        masks = MaskSet.from_descriptors(*(torch.from_numpy(a) for a in (plan.seg, plan.inst, plan.cover,
                                                                          plan.valid)), dev)
        with torch.no_grad():
            o = m.pipe.transformer(**{k: v.to(dev) for k, v in inputs.items()},
                                   joint_attention_kwargs={"contextgen_masks": masks}, return_dict=False)[0]
        outs.append(o.float().cpu())
    return (outs[0] - outs[1]).abs().max().item()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", default="full,offload,fp8")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    spec = read_model_json(ensure_tiny_flux())
    report = {"torch": torch.__version__, "cuda": torch.version.cuda,
              "device": torch.cuda.get_device_name() if args.device == "cuda" else "cpu", "profiles": []}
    dtype = "bfloat16" if args.device == "cuda" else "float32"
    s = args.size
    with tempfile.TemporaryDirectory() as tmp:
        d = write_job(Path(tmp) / "job", s, s, [[s // 16, s // 8, s * 5 // 8, s * 7 // 8],
                                                [s * 7 // 16, s * 5 // 16, s - 4, s - 8]],
                      [blob_rgba(64, 48, 1), blob_rgba(48, 64, 2)], seed=5, steps=args.steps)
        for profile in args.profiles.split(","):
            try:
                report["profiles"].append(run_profile(spec, profile, args.device, dtype, d))
            except Exception as e:  # noqa: BLE001 - report every profile, even after one fails
                traceback.print_exc()
                report["profiles"].append({"profile": profile, "error": f"{type(e).__name__}: {e}"})
    if args.device == "cuda":
        report["fp32ParityCudaVsCpu"] = transformer_parity(spec, "cuda")
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "flux-gpu.json").write_text(text + "\n")
    return 0 if all("error" not in p for p in report["profiles"]) else 1


if __name__ == "__main__":
    sys.exit(main())
