"""Train/inference parity: compare what the TypeScript pipeline feeds the denoiser (dumped by
scripts/parity/dump-ts.ts for a request exported from a dataset record by
scripts/parity/export-sample.ts) with what the trainer builds for the same record
(`process` + `collate` + the text encoder), then the model output and a full sample from the
same initial noise.

    python -m contextgen_train.parity MODEL_DIR DATA_DIR INDEX TS_DUMP_DIR
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .noise import gaussian_noise
from .sample import OnnxModel, timesteps
from .shards import ShardReader

INT_KEYS = ("pos", "seg", "inst", "cover", "valid")


def load_dump(folder: str | Path) -> dict:
    """The arrays and meta.json written by scripts/parity/dump-ts.ts."""
    folder = Path(folder)
    meta = json.loads((folder / "meta.json").read_text())
    d = {"meta": meta}
    for k in ("txt", "img"):
        d[k] = np.fromfile(folder / f"{k}.f32", dtype="<f4").reshape(meta["dims"][k])
    for k in INT_KEYS:
        d[k] = np.fromfile(folder / f"{k}.i64", dtype="<i8").reshape(meta["dims"][k])
    for k in ("noise", "out0", "final"):
        d[k] = np.fromfile(folder / f"{k}.f32", dtype="<f4")
    return d


def python_inputs(model: OnnxModel, raw) -> dict:
    """The trainer's denoiser inputs for one record (no condition dropout, no padding)."""
    ex, b, feeds = model.inputs(raw)
    return {"example": ex, "n_main": b.n_main, "img": b.img.numpy(), **feeds}


def _maxdiff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max()) if a.size else 0.0


def compare(model: OnnxModel, raw, ts: dict) -> dict:
    """Every difference between the trainer's inputs and the TypeScript dump, as numbers.
    Shape or id mismatches are reported as such (`*_equal: False`) rather than raised."""
    py = python_inputs(model, raw)
    ex, n = py["example"], py["n_main"]
    meta = ts["meta"]
    r: dict = {
        "prompt_ids_equal": meta["promptIds"] == ex.prompt_ids,
        "phrase_ids_equal": meta["phraseIds"] == ex.phrase_ids,
        "shapes": {k: [list(py[k].shape), list(ts[k].shape)] for k in ("txt", "img", *INT_KEYS)},
    }
    r["shapes_equal"] = all(a == b for a, b in r["shapes"].values())
    if not r["shapes_equal"]:
        return r
    for k in INT_KEYS:
        r[f"{k}_equal"] = bool(np.array_equal(py[k], ts[k]))
    r["txt_maxdiff"] = _maxdiff(py["txt"], ts["txt"])
    r["layout_maxdiff"] = _maxdiff(py["img"][0, n:2 * n], ts["img"][0, n:2 * n])
    refs, row = [], 2 * n
    for ref in ex.refs:
        if ref is None:
            continue
        k = ref.grid.h * ref.grid.w
        refs.append(_maxdiff(py["img"][0, row:row + k], ts["img"][0, row:row + k]))
        row += k
    r["ref_maxdiff"] = refs
    # Model output on the trainer's inputs with the TypeScript noise at the TypeScript t.
    noise = ts["noise"].reshape(1, n, -1)
    feeds = {k: py[k] for k in ("txt", *INT_KEYS)}
    img = py["img"].copy()
    img[:, :n] = noise
    t0 = np.array([meta["firstT"]], np.float32)
    out = model.den.run(["out"], {**feeds, "img": img, "t": t0})[0]
    r["out0_maxdiff"] = _maxdiff(out[0, :n], ts["out0"].reshape(out.shape)[0, :n])
    # The same call on the TypeScript inputs: isolates the runtimes (onnxruntime-node vs Python).
    same = model.den.run(["out"], {**{k: ts[k] for k in ("txt", "img", *INT_KEYS)}, "t": t0})[0]
    r["out0_runtime_maxdiff"] = _maxdiff(same[0, :n], ts["out0"].reshape(out.shape)[0, :n])
    final = model.sample(raw, steps=meta["steps"], noise=noise, latent=True)
    r["final_maxdiff"] = _maxdiff(final.reshape(-1), ts["final"])
    # Same seed, same picture: the Python sampler's own noise for the request's seed.
    r["noise_bits_equal"] = bool(np.array_equal(gaussian_noise(meta["seed"], noise.size).view(np.uint32),
                                                ts["noise"].view(np.uint32)))
    seeded = model.sample(raw, seed=meta["seed"], steps=meta["steps"], latent=True)
    r["seed_final_maxdiff"] = _maxdiff(seeded.reshape(-1), ts["final"])
    # The Python schedule and Euler loop on the TypeScript inputs: isolates sampler and schedule.
    sched = timesteps(meta["steps"], n, model.manifest["sampling"]["shift"])
    r["timesteps_maxdiff"] = _maxdiff(np.array(sched), np.array(meta["timesteps"]))
    same_final = model.euler({k: ts[k] for k in ("txt", *INT_KEYS)}, ts["img"], noise, sched)
    r["final_runtime_maxdiff"] = _maxdiff(same_final.reshape(-1), ts["final"])
    return r


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path)
    ap.add_argument("data", type=Path)
    ap.add_argument("index", type=int)
    ap.add_argument("dump", type=Path)
    a = ap.parse_args(argv)
    print(json.dumps(compare(OnnxModel(a.model), ShardReader(a.data)[a.index], load_dump(a.dump)), indent=1))


if __name__ == "__main__":
    main()
