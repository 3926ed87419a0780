"""The long-lived FLUX worker (spec/WORKER-PROTOCOL.md): one per loaded model, commands on stdin, events on stdout.

    python -m contextgen_flux.worker --model-json PATH [--profile full|offload|fp8] [--device auto|cpu|cuda]
    python -m contextgen_flux.worker --check --model-json PATH   # one JSON report, for `contextgen doctor`
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import queue
import sys
import threading
import time
import traceback

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from .errors import EXIT_CODES, WorkerError  # noqa: E402
from .protocol import PROTOCOL, EventWriter, claim_stdout  # noqa: E402

log = logging.getLogger("contextgen_flux")


class Commands:
    """Reads stdin on a thread: `generate` queues, `cancel` flags or unqueues, `shutdown`/EOF stops."""

    def __init__(self, events: EventWriter) -> None:
        self.events = events
        self.jobs: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.queued: dict[str, str] = {}
        self.running: str | None = None
        self.cancel_running = threading.Event()
        self.stopping = threading.Event()

    def read_forever(self, stream) -> None:
        for raw in stream:
            line = raw.strip()
            if line:
                self.handle(line)
            if self.stopping.is_set():
                break
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.cancel_running.set()
        self.jobs.put(None)

    def handle(self, line: str) -> None:
        from .job import JOB_ID

        try:
            cmd = json.loads(line)
        except json.JSONDecodeError:
            cmd = None
        if not isinstance(cmd, dict) or cmd.get("cmd") not in ("generate", "cancel", "shutdown"):
            self.events.emit("error", job=None, kind="bad-input", fatal=False,
                             message=f"not a command: {line[:200]!r} (expected {{\"cmd\": \"generate\"|\"cancel\"|"
                                     "\"shutdown\", ...}, spec/WORKER-PROTOCOL.md 2)")
            return
        if cmd["cmd"] == "shutdown":
            self.stop()
            return
        job = cmd.get("job")
        if not isinstance(job, str) or not JOB_ID.match(job):
            self.events.emit("error", job=None, kind="bad-input", fatal=False,
                             message=f"`job` must match [A-Za-z0-9_.-]{{1,64}} (got {job!r}).")
            return
        with self.lock:
            if cmd["cmd"] == "cancel":
                if job in self.queued:
                    del self.queued[job]
                    self.events.emit("cancelled", job=job, step=0)
                elif job == self.running:
                    self.cancel_running.set()
                return
            if job in self.queued or job == self.running:
                self.events.emit("error", job=job, kind="bad-input", fatal=False,
                                 message=f"job {job!r} is already queued or running.")
                return
            d = cmd.get("dir")
            self.queued[job] = d if isinstance(d, str) else ""
        self.jobs.put(job)

    def next_job(self) -> tuple[str, str] | None:
        while True:
            job = self.jobs.get()
            if job is None or self.stopping.is_set():
                return None
            with self.lock:
                if job not in self.queued:  # cancelled while queued
                    continue
                d = self.queued.pop(job)
                self.running = job
                self.cancel_running.clear()
                return job, d

    def finished(self) -> None:
        with self.lock:
            self.running = None


def device_state_lost(e: BaseException) -> bool:
    """A CUDA error other than OOM (illegal access, launch failure, ...) leaves the context unusable: exit so the
    supervisor starts a fresh worker."""
    import torch

    accel = getattr(torch, "AcceleratorError", None)
    return (accel is not None and isinstance(e, accel)) or "CUDA error" in str(e)


def run_job(model, events: EventWriter, cmds: Commands, job: str, job_dir: str) -> bool:
    """Run one job and report it; returns False when the worker must exit (device state lost)."""
    import torch

    from .job import read_job
    from .loader import TEXT_TOKENS, TOKEN_SIZE
    from .sampler import Cancelled, generate

    try:
        inputs = read_job(job_dir, TOKEN_SIZE, TEXT_TOKENS)
        events.emit("started", job=job)

        def on_step(step: int, total: int, preview) -> None:
            fields = {}
            if preview is not None:
                p = inputs.dir / f"preview-{step:03d}.png"
                _save_png(preview, p)
                fields["preview"] = str(p)
            events.emit("progress", job=job, step=step, total=total, **fields)

        image, timings = generate(model, inputs, cmds.cancel_running.is_set, on_step)
        out = inputs.dir / "result.png"
        _save_png(image, out)
        events.emit("done", job=job, result=str(out), seed=inputs.seed, timings=timings)
    except Cancelled as c:
        events.emit("cancelled", job=job, step=c.step)
    except WorkerError as e:
        events.emit("error", job=job, kind=e.kind, message=e.message, fatal=False)
    except torch.OutOfMemoryError as e:
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        events.emit("error", job=job, kind="oom", fatal=False,
                    message=f"out of memory ({str(e).splitlines()[0][:300]}). Use a smaller canvas, fewer "
                            "references, or a lighter profile (--profile offload or fp8).")
    except Exception as e:  # noqa: BLE001 - any other failure is reported, the worker stays up unless CUDA broke
        traceback.print_exc(file=sys.stderr)
        fatal = device_state_lost(e)
        events.emit("error", job=job, kind="internal", fatal=fatal, message=f"{type(e).__name__}: {e}")
        return not fatal
    return True


def _save_png(image, path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    image.save(tmp, format="PNG")
    os.replace(tmp, path)  # readers never see a half-written file


def serve(args: argparse.Namespace, events: EventWriter | None = None, stdin=None) -> int:
    """Run until shutdown / EOF; returns the exit code. `events` / `stdin` default to the process's streams."""
    events = events or claim_stdout()
    cmds = Commands(events)
    reader = threading.Thread(target=cmds.read_forever, args=(stdin or sys.stdin,), daemon=True, name="stdin")
    reader.start()  # commands sent before `ready` queue up
    try:
        from .loader import load_model
        from .model_files import read_model_json

        t0 = time.perf_counter()
        spec = read_model_json(args.model_json)
        from .speed import apply_speed, read_speed_options

        speed = read_speed_options(args.model_json, speed_cli(args))
        model = load_model(spec, profile=args.profile, device=args.device, dtype=args.dtype,
                           fuse=speed.lora == "fused")
        apply_speed(model, speed)
        events.emit("ready", protocol=PROTOCOL, model=model.facts(),
                    timings={"loadSeconds": round(time.perf_counter() - t0, 4)})
    except WorkerError as e:
        events.emit("error", job=None, kind=e.kind, message=e.message, fatal=True)
        return EXIT_CODES[e.kind]
    except Exception as e:  # noqa: BLE001
        import torch

        traceback.print_exc(file=sys.stderr)
        kind = "oom" if isinstance(e, torch.OutOfMemoryError) else "internal"
        events.emit("error", job=None, kind=kind, message=f"loading failed: {type(e).__name__}: {e}", fatal=True)
        return EXIT_CODES[kind]
    while (nxt := cmds.next_job()) is not None:
        job, job_dir = nxt
        try:
            healthy = run_job(model, events, cmds, job, job_dir)
        finally:
            cmds.finished()
        if not healthy:
            return EXIT_CODES["internal"]
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m contextgen_flux.worker", description=__doc__.splitlines()[0])
    ap.add_argument("--model-json", required=True, help="the model folder's model.json (kind flux-kontext-lora)")
    ap.add_argument("--profile", choices=("full", "offload", "fp8"), help="memory profile (default: model.json)")
    ap.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    ap.add_argument("--dtype", choices=("bfloat16", "float32"), help="compute dtype (default: model.json)")
    ap.add_argument("--check", action="store_true", help="print one JSON report of the setup and exit")
    # speed options (speed.py, spec/WORKER-PROTOCOL.md 5.1); unset = model.json `flux.speed`, then the defaults
    ap.add_argument("--attention", choices=("auto", "dense", "flex"), help="masks: dense SDPA or block-sparse flex")
    ap.add_argument("--compile", choices=("off", "blocks"), help="torch.compile the repeated blocks")
    ap.add_argument("--bucket", type=int, help="pad the sequence to a multiple of this many tokens (0 = none)")
    ap.add_argument("--prompt-cache", type=int, help="prompt embeddings kept (LRU entries, 0 = off)")
    ap.add_argument("--lora", choices=("fused", "unfused"), help="fuse the LoRA into the weights (default)")
    return ap.parse_args(argv)


def speed_cli(args: argparse.Namespace) -> dict:
    return {"attention": args.attention, "compile": args.compile, "bucket": args.bucket,
            "prompt_cache": args.prompt_cache, "lora": args.lora}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="[flux-worker] %(message)s")
    if args.check:
        from .check import run_check

        return run_check(args)
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
