"""Worker latency on the tiny random FLUX folder (CPU): start -> ready, first job, warm jobs. Prints JSON.

    .venv/bin/python python/scripts/bench_flux_worker.py [--steps 2] [--size 128] [--jobs 3] [--threads 1]

Builds .cache/tiny-flux if absent. Figures are for the plumbing (process start, imports, loading, encoding,
2 steps, decoding) with a ~1 MB model, not for the real 12 B transformer.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "tests"), str(Path(__file__).resolve().parents[1])]

from flux_helpers import blob_rgba, ensure_tiny_flux, write_job  # noqa: E402
from flux_worker_proc import WorkerProc  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--jobs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    model_json = ensure_tiny_flux()
    s = args.size
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        w = WorkerProc("--model-json", str(model_json), "--device", "cpu", env={"OMP_NUM_THREADS": str(args.threads)})
        ready = w.next(timeout=600)
        t_ready = time.perf_counter() - t0
        assert ready["event"] == "ready", ready
        jobs = []
        for i in range(args.jobs):
            d = write_job(Path(tmp) / f"j{i}", s, s, [[s // 16, s // 8, s * 5 // 8, s * 7 // 8],
                                                     [s * 7 // 16, s * 5 // 16, s - 4, s - 8]],
                          [blob_rgba(64, 48, 1), blob_rgba(48, 64, 2)], seed=i, steps=args.steps)
            t1 = time.perf_counter()
            done, _ = w.job(f"j{i}", d, timeout=600)
            assert done["event"] == "done", done
            jobs.append({"wallSeconds": round(time.perf_counter() - t1, 3), **done["timings"]})
        w.close()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"workerCpuSeconds": round(cpu.ru_utime + cpu.ru_stime, 3), "size": s, "steps": args.steps, "references": 2, "threads": args.threads,
                      "startToReadySeconds": round(t_ready, 3), "workerLoadSeconds": ready["timings"]["loadSeconds"],
                      "jobs": jobs}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
