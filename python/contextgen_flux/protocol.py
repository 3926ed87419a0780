"""stdout = newline-delimited JSON events only (spec/WORKER-PROTOCOL.md 3). `claim_stdout` keeps the real stdout
for events and points fd 1 at stderr, so library prints and progress bars can never corrupt the event stream."""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import IO

PROTOCOL = 1


class EventWriter:
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    @property
    def stream(self) -> IO[str]:
        return self._stream

    def emit(self, event: str, **fields) -> None:
        line = json.dumps({"event": event, **fields}, separators=(",", ":"), allow_nan=False)
        with self._lock:
            try:
                self._stream.write(line + "\n")
                self._stream.flush()
            except (BrokenPipeError, ValueError):  # the supervisor closed our stdout: nobody is listening
                print("[flux-worker] stdout closed by the supervisor; exiting", file=sys.stderr, flush=True)
                os._exit(1)


def claim_stdout() -> EventWriter:
    events = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return EventWriter(events)
