"""Speed of the published model's denoising step on one GPU, without weights (issue 11).

    PYTHONPATH=python python3 python/scripts/bench_published.py [--out DIR]            # full size, CUDA
    PYTHONPATH=python python3 python/scripts/bench_published.py --tiny --device cpu    # rehearsal, any machine

Builds FluxTransformer2DModel with the FLUX.1-Kontext config (19 double + 38 single blocks, 24 heads x 128,
joint_attention_dim 4096, pooled 768, in_channels 64, guidance embedding) on the meta device, materialises it
on the device with random bf16 weights, adds a random rank-512 LoRA on the published module list (peft), and
times one transformer forward (= one denoising step; the scheduler's update is negligible) for two requests:
768 x 768 with 3 references (8,192 tokens) and 1024 x 1024 with 4 references (18,112 tokens), token plans and
CLA/ICA masks from the worker's own code. Rows (`fp8-flex` runs first, alone on the device, on its own random
model quantised in place; the others share one model, fused after `official`):
  official          unfused PEFT LoRA, dense boolean masks through SDPA (what the official code does)
  fused-dense       LoRA fused into the weights, dense boolean masks
  fused-flex        fused, FlexAttention block mask (128 x 128 tiles no query may read are skipped)
  fused-flex-compile  fused, flex, torch.compile of the repeated blocks (compile time reported apart)
  fp8-flex          torchao float8 weight-only quantisation of the fused weights, flex, eager
  generation        a whole --gen-steps (28) generation of the 768 x 768 case through the worker's sampler with
                    random T5-XXL / CLIP-L / VAE (python/scripts/random_flux_pipeline.py), after a 2-step warm-up
Each row: median seconds per step over --steps timed steps after warm-up, torch.cuda.max_memory_allocated during
the steps (weights included), speed-up over `official`. FLOPs per step: every nn.Linear counted from its input
size in a meta-device forward (fused weights), attention 4 * N^2 * heads * head_dim per block, times the share of
(query, key) pairs the masks allow (the work needed) or the share of 128 x 128 tiles flex visits (the work done);
the ideal step time divides the needed FLOPs by --peak-tflops (H200 dense bf16: 989); `x ideal` = measured / ideal
(goal: best bf16 row <= 1.6). Prints one table; with --out
(default $OUT when set) writes bench-published.json and bench-published.md there. Stops starting rows after
--budget-s seconds so the whole run stays under 8 minutes."""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))  # random_flux_pipeline

from contextgen_flux.compile_blocks import compile_blocks  # noqa: E402
from contextgen_flux.flex_mask import SpeedMasks, install_speed_processors, rule_rows  # noqa: E402
from contextgen_flux.model_files import official_layer_kinds  # noqa: E402
from contextgen_train.plan import RefGrid, token_plan  # noqa: E402

FULL = dict(patch_size=1, in_channels=64, num_layers=19, num_single_layers=38, attention_head_dim=128,
            num_attention_heads=24, joint_attention_dim=4096, pooled_projection_dim=768, guidance_embeds=True,
            axes_dims_rope=(16, 56, 56))
TINY = dict(patch_size=1, in_channels=16, num_layers=2, num_single_layers=4, attention_head_dim=16,
            num_attention_heads=2, joint_attention_dim=32, pooled_projection_dim=32, guidance_embeds=True,
            axes_dims_rope=(4, 4, 8))
P = 16
# (name, canvas side, reference (h, w) in tokens, boxes as fractions of the canvas); full-size text is 512 tokens
CASES = [("768x768, 3 refs", 768, [(32, 32)] * 3,
          [(0.04, 0.08, 0.52, 0.73), (0.39, 0.26, 0.96, 0.94), (0.23, 0.05, 0.68, 0.49)]),
         ("1024x1024, 4 refs", 1024, [(49, 48)] * 4,
          [(0.02, 0.03, 0.50, 0.55), (0.45, 0.05, 0.97, 0.52), (0.05, 0.47, 0.55, 0.97), (0.40, 0.40, 0.95, 0.95)])]
ROWS = ("official", "fused-dense", "fused-flex", "fused-flex-compile", "fp8-flex", "generation")
RANK = 512


def lora_targets(n_double: int, n_single: int) -> list[str]:
    spec = importlib.util.spec_from_file_location("make_tiny_flux", HERE / "make_tiny_flux.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # the published module list lives there (one place)
    return mod.lora_targets(n_double, n_single)


def ellipse(h: int, w: int) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return ((y + 0.5 - h / 2) / (h * 0.5)) ** 2 + ((x + 0.5 - w / 2) / (w * 0.5)) ** 2 <= 1


def make_plan(side: int, refs: list[tuple[int, int]], boxes, text: int):
    grids = [RefGrid(h, w, ellipse(h, w)) for h, w in refs]
    px = [[b[0] * side, b[1] * side, b[2] * side, b[3] * side] for b in boxes]
    return token_plan(side, side, P, text, [0] * len(boxes), px, grids)


def build(cfg: dict, device: torch.device, dtype: torch.dtype, seed: int):
    """Random weights straight on the device: built on meta, materialised empty, filled in place."""
    from diffusers import FluxTransformer2DModel

    with torch.device("meta"):
        t = FluxTransformer2DModel(**cfg).to(dtype)
    t = t.to_empty(device=device)  # bf16 straight away: no fp32 copy on the device
    g = torch.Generator(device=device).manual_seed(seed)
    with torch.no_grad():
        for name, p in t.named_parameters():
            if p.ndim >= 2:
                p.normal_(0.0, 0.02, generator=g)
            elif name.endswith("weight"):  # norm scales
                p.fill_(1.0)
            else:
                p.zero_()
    return t.eval()


def add_lora(t, cfg: dict, dtype: torch.dtype, seed: int) -> None:
    from peft import LoraConfig

    device = next(t.parameters()).device
    with torch.device(device):  # the LoRA layers are created on the device, not on the CPU and moved
        t.add_adapter(LoraConfig(r=RANK, lora_alpha=RANK, init_lora_weights=True,
                                 target_modules=lora_targets(cfg["num_layers"], cfg["num_single_layers"])))
    g = torch.Generator(device=device).manual_seed(seed + 1)
    with torch.no_grad():
        for name, p in t.named_parameters():
            if "lora_" in name:
                p.data = p.data.to(dtype)
                p.normal_(0.0, 0.002, generator=g)


def inputs(cfg: dict, plan, text: int, device, dtype, seed: int) -> dict:
    g = torch.Generator("cpu").manual_seed(seed)
    n_img = len(plan.seg) - text
    r = lambda *s: torch.randn(*s, generator=g).to(device=device, dtype=dtype)  # noqa: E731
    return dict(hidden_states=r(1, n_img, cfg["in_channels"]),
                encoder_hidden_states=r(1, text, cfg["joint_attention_dim"]),
                pooled_projections=r(1, cfg["pooled_projection_dim"]),
                timestep=torch.tensor([0.6], device=device, dtype=dtype),
                guidance=torch.tensor([3.5], device=device, dtype=torch.float32),
                txt_ids=torch.zeros(text, 3, device=device),
                img_ids=torch.from_numpy(plan.pos[text:]).to(device=device, dtype=torch.float32))


def sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def step(t, x: dict, masks) -> torch.Tensor:
    with torch.inference_mode():
        return t(**x, joint_attention_kwargs={"contextgen_masks": masks}, return_dict=False)[0]


def time_steps(t, x, masks, device, warmup: int, steps: int) -> tuple[float, float | None, float, bool]:
    """-> (median s/step, peak GB during the timed steps or None on CPU, seconds of the warm-up, output finite)."""
    t0 = time.perf_counter()
    for _ in range(warmup):
        step(t, x, masks)
    sync(device)
    warm = time.perf_counter() - t0
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(steps):
        s = time.perf_counter()
        out = step(t, x, masks)
        sync(device)
        times.append(time.perf_counter() - s)
    peak = torch.cuda.max_memory_allocated() / 1e9 if device.type == "cuda" else None
    return statistics.median(times), peak, warm, bool(torch.isfinite(out.float()).all())


def linear_flops(cfg: dict, plan, text: int) -> float:
    """Multiply-add FLOPs (x2) of every nn.Linear in one forward of the fused model, on the meta device."""
    from diffusers import FluxTransformer2DModel

    with torch.device("meta"):
        t = FluxTransformer2DModel(**cfg)
        x = inputs(cfg, plan, text, "meta", torch.float32, 0)
    total = [0.0]

    def hook(mod, args, out):
        total[0] += 2.0 * args[0].numel() * mod.out_features

    for m in t.modules():
        if isinstance(m, torch.nn.Linear):
            m.register_forward_hook(hook)
    with torch.no_grad():
        t(**x, return_dict=False)
    return total[0]


def allowed_fraction(d: list[torch.Tensor]) -> dict[str, float]:
    """Share of (query, key) pairs the rule allows, per kind, counted in row chunks."""
    counts = {"cla": 0, "ica": 0}
    for _, (cla, ica) in rule_rows(d):
        counts["cla"] += int(cla.sum())
        counts["ica"] += int(ica.sum())
    n = d[0].shape[0]
    return {k: v / (n * n) for k, v in counts.items()}


def flop_table(cfg: dict, plan, text: int, kinds: list[str], d: list[torch.Tensor], flex: SpeedMasks) -> dict:
    n = len(plan.seg)
    width = cfg["num_attention_heads"] * cfg["attention_head_dim"]
    per_block = 4.0 * n * n * width  # QK^T and PV
    allowed = allowed_fraction(d)
    tiles = {k: flex.active_fraction(k) for k in ("cla", "ica")}
    lin = linear_flops(cfg, plan, text)
    attn_dense = per_block * len(kinds)
    attn_needed = sum(per_block * allowed[k] for k in kinds)
    attn_tiles = sum(per_block * tiles[k] for k in kinds)
    return {"tokens": n, "linear": lin, "attentionDense": attn_dense, "attentionNeeded": attn_needed,
            "attentionFlexTiles": attn_tiles, "allowedFraction": allowed, "tileFraction": tiles,
            "neededTotal": lin + attn_needed, "denseTotal": lin + attn_dense, "flexTotal": lin + attn_tiles}


def run(args) -> dict:
    device = torch.device(args.device)
    dtype = torch.bfloat16
    cfg = TINY if args.tiny else FULL
    text = 32 if args.tiny else 512
    scale = 4 if args.tiny else 1  # tiny: canvases and references a quarter of the side
    cases = [(name if not args.tiny else f"{name} /{scale}", side // scale,
              [(max(1, h // scale), max(1, w // scale)) for h, w in refs], boxes)
             for name, side, refs, boxes in CASES]
    rows = [r for r in ROWS if r in args.rows.split(",")]
    start = time.perf_counter()
    log = lambda *a: print(f"[{time.perf_counter() - start:6.1f}s]", *a, flush=True)  # noqa: E731
    kinds = official_layer_kinds(cfg["num_layers"], cfg["num_single_layers"])
    prepared = []
    for name, side, refs, boxes in cases:
        plan = make_plan(side, refs, boxes, text)
        d = [torch.from_numpy(a) for a in (plan.seg, plan.inst, plan.cover, plan.valid)]
        s = time.perf_counter()
        d = [t.to(device) for t in d]
        flex = SpeedMasks.from_descriptors(*d, device, "flex")
        sync(device)
        mask_ms = (time.perf_counter() - s) * 1e3
        flops = flop_table(cfg, plan, text, kinds, d, flex)
        prepared.append(dict(name=name, plan=plan, x=inputs(cfg, plan, text, device, dtype, 1), d=d,
                             flex=flex, flops=flops, mask_ms=mask_ms))
        log(f"{name}: {flops['tokens']} tokens, flex masks built in {mask_ms:.0f} ms")
    if args.flops_only:
        rows = []
    results: list[dict] = []

    def free() -> None:
        gc.collect()
        if device.type == "cuda":
            torch.cuda.empty_cache()

    def measure(row: str, t, warm: int) -> None:
        for c in prepared:
            # dense masks (2 x N^2 bytes) only while a dense row runs, so flex rows' peaks do not carry them
            masks = SpeedMasks.from_descriptors(*c["d"], device, "dense") \
                if row in ("official", "fused-dense") else c["flex"]
            sec, peak, warm_s, finite = time_steps(t, c["x"], masks, device, warm, args.steps)
            del masks
            results.append(dict(row=row, case=c["name"], tokens=c["flops"]["tokens"], secondsPerStep=sec,
                                peakGB=peak, warmupSeconds=warm_s if row == "fused-flex-compile" else None,
                                finite=finite))
            log(f"{row} / {c['name']}: {sec * 1e3:.1f} ms/step, peak {'-' if peak is None else f'{peak:.1f} GB'}"
                f"{'' if finite else ' (non-finite output)'}")

    def attempt(row: str, body) -> None:
        if row not in rows:
            return
        if time.perf_counter() - start > args.budget_s:
            results.extend(dict(row=row, case=c["name"], skipped=f"time budget {args.budget_s:.0f} s spent")
                           for c in prepared)
            log(f"{row}: skipped (budget)")
            return
        try:
            body()
        except Exception as e:  # noqa: BLE001 - one row failing (a missing package, OOM) must not lose the table
            reason = f"{type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}"
            results.extend(dict(row=row, case=c["name"], skipped=reason) for c in prepared
                           if not any(r["row"] == row and r["case"] == c["name"] for r in results))
            log(f"{row}: failed: {reason}")
        finally:
            free()
            write(args.out, report(args, device, prepared, results, start))  # a killed run keeps the rows so far

    def fp8_row() -> None:
        """First, alone on the device: a fresh random model stands for the fused weights (same shapes), quantised
        in place, so the peak is the fp8 model's own."""
        if device.type != "cuda":
            raise RuntimeError("float8 weight-only kernels need a CUDA GPU")
        from torchao.quantization import Float8WeightOnlyConfig, quantize_

        q = build(cfg, device, dtype, seed=1)
        install_speed_processors(q, kinds)
        quantize_(q, Float8WeightOnlyConfig(), device=device)
        free()
        log(f"fp8 model: {torch.cuda.memory_allocated() / 1e9:.1f} GB resident")
        measure("fp8-flex", q, 1)
        del q

    attempt("fp8-flex", fp8_row)
    t = None
    if any(r != "fp8-flex" for r in rows):
        t = build(cfg, device, dtype, seed=0)
        add_lora(t, cfg, dtype, seed=0)
        install_speed_processors(t, kinds)
        sync(device)
        log(f"model built: {si(sum(p.numel() for p in t.parameters()), '')} parameters with the LoRA")
    attempt("official", lambda: measure("official", t, 1))
    if t is not None and any(r in rows for r in ("fused-dense", "fused-flex", "fused-flex-compile")):
        t.fuse_lora(lora_scale=1.0)
        t.unload_lora()
        free()
    attempt("fused-dense", lambda: measure("fused-dense", t, 1))
    attempt("fused-flex", lambda: measure("fused-flex", t, 1))

    def compile_row() -> None:
        compile_blocks(t, backend=args.compile_backend)
        measure("fused-flex-compile", t, 2)  # the first step of each bucket compiles

    attempt("fused-flex-compile", compile_row)

    def generation_row() -> None:
        """A whole generation of the first case through the worker's sampler, with random T5 / CLIP / VAE around
        the fused transformer (flex masks; compiled blocks when the compile row ran)."""
        from contextgen_flux.loader import LoadedModel
        from contextgen_flux.sampler import generate
        from contextgen_flux.speed import SpeedOptions, SpeedPath
        from random_flux_pipeline import job_inputs, random_pipeline

        compiled = any(r["row"] == "fused-flex-compile" and "secondsPerStep" in r for r in results)
        pipe = random_pipeline(t, args.tiny, device, dtype)
        model = LoadedModel(pipe, None, Path("random"), {}, "full", device, dtype, kinds, [], True)
        model.speed = SpeedPath(SpeedOptions(attention="flex", compile="blocks" if compiled else "off",
                                             prompt_cache=0), "flex", "bench", "blocks" if compiled else "off")
        c, (_, side, refs, _) = prepared[0], cases[0]
        generate(model, job_inputs(c["plan"], side, refs, text, steps=2))  # warm-up: encoders, VAE, kernels
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        s = time.perf_counter()
        image, timings = generate(model, job_inputs(c["plan"], side, refs, text, steps=args.gen_steps))
        total = time.perf_counter() - s
        peak = torch.cuda.max_memory_allocated() / 1e9 if device.type == "cuda" else None
        results.append(dict(row="generation", case=c["name"], tokens=c["flops"]["tokens"],
                            secondsPerStep=timings["denoiseSeconds"] / args.gen_steps, peakGB=peak,
                            finite=bool(np.isfinite(np.asarray(image, dtype=np.float32)).all()),
                            generation={"steps": args.gen_steps, "seconds": total, "compiled": compiled,
                                        "imageSize": list(image.size), **timings}))
        log(f"generation / {c['name']}: {args.gen_steps} steps in {total:.2f} s ({timings})")

    attempt("generation", generation_row)
    return report(args, device, prepared, results, start)


def report(args, device, prepared: list[dict], results: list[dict], start: float) -> dict:
    order = {r: i for i, r in enumerate(ROWS)}
    results = sorted((dict(r) for r in results), key=lambda r: order[r["row"]])
    base = {r["case"]: r["secondsPerStep"] for r in results if r["row"] == "official" and "secondsPerStep" in r}
    flops = {c["name"]: c["flops"] for c in prepared}
    for r in results:
        if "secondsPerStep" in r:
            f = flops[r["case"]]
            r["speedup"] = base[r["case"]] / r["secondsPerStep"] if r["case"] in base else None  # generation:
            # denoise time per step, scheduler and cast included
            r["neededTFLOPs"] = f["neededTotal"] / r["secondsPerStep"] / 1e12
            r["timesIdeal"] = r["secondsPerStep"] / (f["neededTotal"] / (args.peak_tflops * 1e12))
    gpu = torch.cuda.get_device_name() if device.type == "cuda" else platform.processor() or "cpu"
    return {"format": "contextgen-bench-published/1", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "hardware": gpu, "device": str(device), "tiny": args.tiny, "torch": torch.__version__,
            "peakTFLOPs": args.peak_tflops, "steps": args.steps, "compileBackend": args.compile_backend,
            "loraRank": RANK, "cases": [{"name": c["name"], "maskBuildMs": c["mask_ms"], **c["flops"]}
                                        for c in prepared],
            "results": results, "wallSeconds": time.perf_counter() - start}


def write(out: str | None, rep: dict) -> str:
    md = markdown(rep)
    if out:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "bench-published.json").write_text(json.dumps(rep, indent=1))
        (folder / "bench-published.md").write_text(md)
    return md


def si(x: float, unit: str) -> str:
    for f, p in ((1e12, "T"), (1e9, "G"), (1e6, "M")):
        if abs(x) >= f:
            return f"{x / f:.2f} {p}{unit}"
    return f"{x:.0f} {unit}"


def markdown(rep: dict) -> str:
    lines = [f"Published-model step, {rep['hardware']} ({rep['device']}), {rep['date']}, torch {rep['torch']}"
             f"{', TINY rehearsal dimensions' if rep['tiny'] else ''}; median of {rep['steps']} steps.", ""]
    for c in rep["cases"]:
        lines.append(f"- {c['name']}: {c['tokens']} tokens; FLOP/step: linear {si(c['linear'], 'FLOP')} + "
                     f"attention {si(c['attentionDense'], 'FLOP')} dense = {si(c['denseTotal'], 'FLOP')}; "
                     f"needed (allowed pairs CLA {c['allowedFraction']['cla']:.1%} / ICA "
                     f"{c['allowedFraction']['ica']:.1%}) {si(c['neededTotal'], 'FLOP')}; flex tiles "
                     f"(CLA {c['tileFraction']['cla']:.1%} / ICA {c['tileFraction']['ica']:.1%}) "
                     f"{si(c['flexTotal'], 'FLOP')}; ideal step at {rep['peakTFLOPs']:.0f} TFLOP/s: "
                     f"{c['neededTotal'] / rep['peakTFLOPs'] / 1e12 * 1e3:.4g} ms; flex masks built in "
                     f"{c['maskBuildMs']:.0f} ms")
    lines += ["", "| row | case | tokens | s/step | speed-up vs official | peak GB | TFLOP/s (needed) | x ideal |"
              " note |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rep["results"]:
        if "secondsPerStep" not in r:
            lines.append(f"| {r['row']} | {r['case']} | | | | | | | skipped: {r['skipped']} |")
            continue
        sp = f"{r['speedup']:.2f}x" if r.get("speedup") else "-"
        pk = "-" if r["peakGB"] is None else f"{r['peakGB']:.1f}"
        note = f"warm-up incl. compile {r['warmupSeconds']:.0f} s" if r.get("warmupSeconds") else ""
        if r.get("generation"):
            g = r["generation"]
            note = (f"whole {g['steps']}-step generation {g['seconds']:.2f} s (text + VAE encode "
                    f"{g['prepareSeconds']:.2f}, denoise {g['denoiseSeconds']:.2f}, decode {g['decodeSeconds']:.2f}; "
                    f"random {'tiny' if rep['tiny'] else 'T5-XXL / CLIP-L / FLUX'} encoders and VAE; "
                    f"{'compiled' if g['compiled'] else 'eager'} blocks); s/step = "
                    "denoise / steps")
        lines.append(f"| {r['row']} | {r['case']} | {r['tokens']} | {r['secondsPerStep']:.4f} | {sp} | {pk} | "
                     f"{r['neededTFLOPs']:.3g} | {r['timesIdeal']:.3g} | {note} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiny", action="store_true", help="tiny model and canvases (rehearsal on CPU)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--rows", default=",".join(ROWS), help=f"comma list among {', '.join(ROWS)}")
    ap.add_argument("--steps", type=int, default=3, help="timed steps per row and case (median)")
    ap.add_argument("--gen-steps", type=int, default=28, help="steps of the whole generation row")
    ap.add_argument("--budget-s", type=float, default=400, help="start no row after this many seconds")
    ap.add_argument("--peak-tflops", type=float, default=989.0, help="dense bf16 peak of the GPU (H200: 989)")
    ap.add_argument("--compile-backend", default="inductor", help="torch.compile backend of the compile row")
    ap.add_argument("--flops-only", action="store_true", help="token plans, masks and FLOP counts only (no model)")
    ap.add_argument("--out", default=os.environ.get("OUT"), help="folder for bench-published.json / .md")
    args = ap.parse_args(argv)
    if not args.tiny and args.device != "cuda" and not args.flops_only:
        ap.error("the full-size model needs --device cuda (24 GB of bf16 weights); use --tiny on CPU")
    torch.manual_seed(0)
    rep = run(args)
    print(write(args.out, rep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
