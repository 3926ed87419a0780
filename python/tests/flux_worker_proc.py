"""Drive `python -m contextgen_flux.worker` over stdio in tests, the way the TypeScript supervisor does."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class WorkerProc:
    def __init__(self, *args: str, env: dict | None = None) -> None:
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO / "python"),
             "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "contextgen_flux.worker", *args], cwd=REPO, env=e,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.events: queue.Queue = queue.Queue()
        self.lines: list[str] = []  # every stdout line, to prove each one is JSON
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            self.events.put(json.loads(line))  # a non-JSON stdout line fails the reader loudly
        self.events.put(None)

    def send(self, obj: dict | str) -> None:
        self.proc.stdin.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
        self.proc.stdin.flush()

    def next(self, timeout: float = 120) -> dict | None:
        return self.events.get(timeout=timeout)

    def until(self, pred, timeout: float = 180) -> tuple[dict, list[dict]]:
        """Events up to and including the first matching pred; raises on EOF or timeout."""
        seen, end = [], time.monotonic() + timeout
        while True:
            ev = self.events.get(timeout=max(0.1, end - time.monotonic()))
            if ev is None:
                raise AssertionError(f"worker exited ({self.proc.wait()}) after {seen}; stderr: "
                                     f"{''.join(self.stderr)[-2000:]}")
            seen.append(ev)
            if pred(ev):
                return ev, seen

    def job(self, job: str, d: Path, timeout: float = 180) -> tuple[dict, list[dict]]:
        self.send({"cmd": "generate", "job": job, "dir": str(d)})
        return self.until(lambda e: e.get("job") == job and e["event"] in ("done", "error", "cancelled"), timeout)

    def close(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            try:
                self.send({"cmd": "shutdown"})
            except (BrokenPipeError, OSError):
                pass
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
