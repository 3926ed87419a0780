"""The worker's error kinds (spec/WORKER-PROTOCOL.md section 3) and the exit code of each when fatal."""

from __future__ import annotations

KINDS = ("bad-input", "missing-files", "bad-lora", "cuda-missing", "oom", "internal")
EXIT_CODES = {"bad-input": 2, "missing-files": 2, "bad-lora": 2, "cuda-missing": 3, "oom": 4, "internal": 1}


class WorkerError(Exception):
    """An error the user can act on: `kind` is one of KINDS, the message says what is wrong and how to fix it."""

    def __init__(self, kind: str, message: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown error kind {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.message = message


def bad_input(message: str) -> WorkerError:
    return WorkerError("bad-input", message)
