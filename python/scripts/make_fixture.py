"""Regenerate packages/runtime/test-fixtures/tiny-model/: a tiny RANDOMLY initialised model folder
(trained: false) for the TypeScript runtime/CLI/server tests. Deterministic: same bytes every run.

    .venv/bin/python python/scripts/make_fixture.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contextgen_train.configs import get_config  # noqa: E402
from contextgen_train.export import onnx_parity, write_model_folder  # noqa: E402
from contextgen_train.model import ContextGenDiT, init_weights  # noqa: E402
from contextgen_train.text_encoder import TextEncoder  # noqa: E402
from contextgen_train.tokenizer import WordTokenizer  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
WORDS = ["a", "an", "the", "and", "of", "on", "in", "left", "right", "above", "below", "next", "to", "cat", "dog",
         "apple", "tree", "house", "car", "sun", "moon", "star", "red", "blue", "green", "beach", "meadow", "night",
         "snow", "desert", "room", "underwater", "face", "heart", "smiling"]


def make_fixture(out: Path) -> dict[str, float]:
    torch.manual_seed(0)
    cfg = get_config("tiny")
    tok = WordTokenizer.build(WORDS)
    model, enc = ContextGenDiT(cfg), TextEncoder(cfg, len(tok))
    init_weights(model, zero_gates=False)  # random but input-dependent outputs (zero gates would give out = 0)
    provenance = {"dataSeed": 0, "dataSamples": 0, "steps": 0, "wallSeconds": 0, "hardware": "none (random init)"}
    write_model_folder(out, cfg, model, enc, tok, "tiny-random-fixture", False, provenance,
                       "Tiny randomly initialised model for tests. Its outputs are noise, not images.")
    return onnx_parity(model, enc, out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "packages/runtime/test-fixtures/tiny-model")
    args = ap.parse_args()
    err = make_fixture(args.out)
    size = sum(f.stat().st_size for f in args.out.iterdir())
    print(f"wrote {args.out} ({size / 1024:.0f} KiB); parity max abs error {err}")
