"""`--check`: one JSON report of what running this model needs and what is missing (spec/WORKER-PROTOCOL.md 1),
for `contextgen doctor`. Loads no weights."""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import platform

from .errors import WorkerError
from .protocol import claim_stdout

PACKAGES = ("torch", "diffusers", "transformers", "peft", "safetensors", "accelerate", "torchao", "tokenizers",
            "Pillow", "numpy")
INSTALL = ".venv/bin/pip install -r python/requirements-published.txt"


def package_versions() -> dict[str, str | None]:
    out = {}
    for p in PACKAGES:
        try:
            out[p] = md.version(p)
        except md.PackageNotFoundError:
            out[p] = None
    return out


def cuda_facts() -> dict:
    try:
        import torch
    except ImportError:
        return {"available": False, "torchCuda": None, "device": None, "freeBytes": None, "totalBytes": None}
    facts = {"available": torch.cuda.is_available(), "torchCuda": torch.version.cuda, "device": None,
             "freeBytes": None, "totalBytes": None}
    if facts["available"]:
        free, total = torch.cuda.mem_get_info()
        facts.update(device=torch.cuda.get_device_name(), freeBytes=int(free), totalBytes=int(total))
    return facts


def run_check(args: argparse.Namespace) -> int:
    out = claim_stdout().stream  # library prints cannot corrupt the one JSON object
    report: dict = {"ok": False, "python": platform.python_version(), "packages": package_versions(),
                    "cuda": cuda_facts(), "files": {"diffusers": None, "lora": None, "missing": []},
                    "profile": args.profile, "problems": []}
    problems = report["problems"]
    for p, v in report["packages"].items():
        if v is None and p != "torchao":
            problems.append({"kind": "missing-package", "message": f"{p} is not installed", "fix": INSTALL})
    try:
        from .model_files import missing_files, pick_lora, read_model_json

        spec = read_model_json(args.model_json)
        profile = args.profile or spec.profile
        report["profile"] = profile
        report["files"]["diffusers"] = str(spec.diffusers)
        report["files"]["missing"] = missing_files(spec.diffusers)
        if report["files"]["missing"]:
            problems.append({"kind": "missing-files", "message": f"the diffusers folder {spec.diffusers} lacks "
                                                                 f"{len(report['files']['missing'])} file(s)",
                             "fix": "download FLUX.1-Kontext-dev in diffusers format into it (python/README.md)"})
        lora = pick_lora(spec.lora_setting)
        report["files"]["lora"] = str(lora)
        if report["packages"]["diffusers"] and not report["files"]["missing"]:
            from .lora_check import check_lora

            cfg = json.loads((spec.diffusers / "transformer" / "config.json").read_text())
            report["lora"] = check_lora(lora, cfg)
        if profile == "fp8" and report["packages"]["torchao"] is None:
            problems.append({"kind": "missing-package", "message": "profile fp8 needs torchao", "fix": INSTALL})
        cuda_ok = report["cuda"]["available"]
        if args.device == "cuda" and not cuda_ok or (profile != "full" and not cuda_ok):
            problems.append({"kind": "cuda-missing", "message": f"profile {profile!r} / --device {args.device} needs "
                                                                "a CUDA GPU and torch sees none",
                             "fix": "install an NVIDIA driver that supports torch's CUDA build "
                                    f"({report['cuda']['torchCuda']}), or use --profile full --device cpu"})
    except WorkerError as e:
        problems.append({"kind": e.kind, "message": e.message,
                         "fix": "see the message" if e.kind != "missing-files" else "download the weights "
                                "(python/README.md, 'Run the published model')"})
    report["ok"] = not problems
    out.write(json.dumps(report, indent=2) + "\n")
    out.flush()
    return 0 if report["ok"] else 1
