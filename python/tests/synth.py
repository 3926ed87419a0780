"""Tiny synthetic IMIG-style samples for tests (random but deterministic)."""

from __future__ import annotations

import numpy as np

from contextgen_train.shards import RawSample

NAMES = ["cat", "dog", "apple", "tree", "car", "sun"]
SCENES = ["beach", "meadow", "night"]
VOCAB = NAMES + SCENES + ["a", "on", "the", "left", "of", "and", "right"]


def raw_sample(i: int, size: int = 32, ref_size: int = 16, max_inst: int = 3) -> RawSample:
    rng = np.random.default_rng(i)
    k = int(rng.integers(1, max_inst + 1))
    target = np.zeros((size, size, 3), np.uint8)
    target[:] = rng.integers(0, 255, 3)  # scene colour
    layout = np.full((size, size, 3), 128, np.uint8)
    insts, refs, vis = [], [], []
    yy, xx = np.mgrid[:ref_size, :ref_size]
    for j in range(k):
        w, h = (int(v) for v in rng.integers(size // 4, size // 2 + 1, 2))
        x1, y1 = (int(v) for v in rng.integers(0, size - size // 4, 2))
        box = [x1, y1, min(size, x1 + w), min(size, y1 + h)]
        colour = rng.integers(0, 255, 3)
        target[box[1]:box[3], box[0]:box[2]] = colour
        layout[box[1]:box[3], box[0]:box[2]] = (colour // 2 + 40).astype(np.uint8)
        ref = np.zeros((ref_size, ref_size, 4), np.uint8)
        r = ref_size * float(rng.uniform(0.25, 0.5))
        inside = (yy - ref_size / 2) ** 2 / 1.5 + (xx - ref_size / 2) ** 2 < r * r
        ref[..., :3] = colour
        ref[..., 3] = inside * 255
        refs.append(ref)
        v = np.zeros((size, size), np.uint8)
        v[box[1]:box[3], box[0]:box[2]] = 255
        vis.append(v)
        name = NAMES[int(rng.integers(len(NAMES)))]
        insts.append({"identity": name, "name": name, "phrase": f"a {name}", "box": box, "z": j})
    scene = SCENES[i % len(SCENES)]
    caption = f"{scene}: " + " and ".join(f"a {x['name']}" for x in insts)
    header = {"id": i, "scene": scene, "level": 1, "caption": caption, "instances": insts}
    return RawSample(header, target, layout, refs, vis)
