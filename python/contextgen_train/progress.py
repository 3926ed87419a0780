"""A one-line text progress bar (no tqdm dependency) and a JSONL metrics log."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


class ProgressLine:
    def __init__(self, label: str, stream=sys.stderr, width: int = 24):
        self.label, self.stream, self.width = label, stream, width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.t0 = time.monotonic()

    def update(self, step: int, total: int, row: dict, deadline: float | None = None) -> None:
        """The bar follows steps, or the clock when a deadline comes first."""
        frac = min(1.0, step / max(total, 1))
        if deadline is not None:
            frac = max(frac, min(1.0, (time.monotonic() - self.t0) / max(deadline - self.t0, 1e-9)))
        bar = "#" * int(frac * self.width) + "-" * (self.width - int(frac * self.width))
        extras = " ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                          for k, v in row.items() if k in ("stage", "loss", "dpo_acc", "samples_per_s", "lr"))
        steps = f"{step}/{total}" if total < 10**8 else f"step {step}"
        line = f"{self.label} [{bar}] {steps} {extras} {time.monotonic() - self.t0:.0f}s"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


class MetricsLog:
    """Appends one JSON object per line: step, stage, loss, samples_per_s, lr, elapsed_s, ..."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, row: dict) -> None:
        if self.path:
            with open(self.path, "a") as f:
                f.write(json.dumps(row) + "\n")
