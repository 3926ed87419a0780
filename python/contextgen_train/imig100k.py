"""Reader for the published IMIG-100K folder layout (assumed; see python/README.md), giving the same
RawSample records as the IMIG-Synth shards so training code is shared.

    ROOT/<sample>/segment_info.json   {"caption", "width", "height", "image": "image.png",
                                       "layout_image": "layout.png" (optional),
                                       "instances": [{"image": "ref_0.png", "bbox": [x1,y1,x2,y2],
                                                      "label", "phrase", "mask": "mask_0.png" (optional)}]}
Target and layout are centre-cropped to a square and resized to `size`; boxes follow. References are
fitted (aspect kept) into `ref_size` x `ref_size` RGBA with transparent padding. Without a layout image
one is composed from the references (instance-fit, larger boxes first, DESIGN 2).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .png import read_image
from .references import subject_mask
from .shards import RawSample
from .tokenizer import words

EMPTY = 128  # empty layout pixel, as in the shards


def _resize(img: np.ndarray, h: int, w: int) -> np.ndarray:
    x = torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1)[None].float()
    x = F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)
    return x[0].permute(1, 2, 0).round().clamp(0, 255).byte().numpy()


def _rgba(img: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    if img.shape[-1] == 4 and mask is None:
        return img
    rgb = img[..., :3] if img.shape[-1] >= 3 else np.repeat(img[..., :1], 3, -1)
    alpha = (mask[..., 0] if mask is not None else np.full(rgb.shape[:2], 255, np.uint8))
    return np.concatenate([rgb, alpha[..., None]], -1)


def _fit(rgba: np.ndarray, side: int) -> np.ndarray:
    h, w = rgba.shape[:2]
    s = side / max(h, w)
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    out = np.zeros((side, side, 4), np.uint8)
    y, x = (side - nh) // 2, (side - nw) // 2
    out[y:y + nh, x:x + nw] = _resize(rgba, nh, nw)
    return out


def compose_layout(size: int, boxes: list[list[float]], refs: list[np.ndarray]) -> np.ndarray:
    """instance-fit layout image (uint8 [size, size, 3], empty = 128), larger boxes painted first."""
    canvas = np.full((size, size, 3), EMPTY, np.uint8)
    for j in sorted(range(len(boxes)), key=lambda j: -(boxes[j][2] - boxes[j][0]) * (boxes[j][3] - boxes[j][1])):
        x1, y1, x2, y2 = boxes[j]
        inside = subject_mask(refs[j][..., 3])
        if not inside.any() or x2 - x1 < 1 or y2 - y1 < 1:
            continue
        ys, xs = np.nonzero(inside)
        crop = refs[j][ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        ch, cw = crop.shape[:2]
        s = min(((x2 - x1) * (y2 - y1) / (ch * cw)) ** 0.5, (x2 - x1) / cw, (y2 - y1) / ch)
        nh, nw = max(1, int(round(ch * s))), max(1, int(round(cw * s)))
        px, py = int(round((x1 + x2 - nw) / 2)), int(round((y1 + y2 - nh) / 2))
        patch = _resize(crop, nh, nw)
        ys0, xs0 = max(0, py), max(0, px)
        ys1, xs1 = min(size, py + nh), min(size, px + nw)
        if ys1 <= ys0 or xs1 <= xs0:
            continue
        sub = patch[ys0 - py:ys1 - py, xs0 - px:xs1 - px]
        m = subject_mask(sub[..., 3])
        canvas[ys0:ys1, xs0:xs1][m] = sub[..., :3][m]
    return canvas


class Imig100kReader:
    def __init__(self, root: str | Path, size: int = 128, ref_size: int = 64):
        self.root, self.size, self.ref_size = Path(root), size, ref_size
        self.max_instances = 0
        self.samples = sorted(p.parent for p in self.root.glob("*/segment_info.json"))
        if not self.samples:
            raise FileNotFoundError(f"no */segment_info.json under {self.root}: expected one folder per sample "
                                    f"(see python/README.md, 'IMIG-100K layout')")
        vocab: list[str] = []
        for p in self.samples:
            info = json.loads((p / "segment_info.json").read_text())
            self.max_instances = max(self.max_instances, len(info["instances"]))
            texts = [info.get("caption", "")] + [i.get("phrase") or i.get("label", "") for i in info["instances"]]
            vocab += [w for t in texts for w in words(t) if w not in vocab]
        self.meta = {"format": "imig-100k", "size": size, "refSize": ref_size, "seed": 0, "count": len(self.samples),
                     "vocab": vocab}

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> RawSample:
        folder = self.samples[i]
        info = json.loads((folder / "segment_info.json").read_text())
        target = read_image(folder / info.get("image", "image.png"))[..., :3]
        H, W = target.shape[:2]
        side = min(H, W)
        oy, ox, s = (H - side) // 2, (W - side) // 2, self.size / side
        square = lambda im: _resize(im[oy:oy + side, ox:ox + side], self.size, self.size)  # noqa: E731
        insts, refs, boxes = [], [], []
        for j, inst in enumerate(info["instances"]):
            x1, y1, x2, y2 = inst["bbox"]
            box = [min(max((x1 - ox) * s, 0), self.size), min(max((y1 - oy) * s, 0), self.size),
                   min(max((x2 - ox) * s, 0), self.size), min(max((y2 - oy) * s, 0), self.size)]
            if box[2] - box[0] < 1 or box[3] - box[1] < 1:
                continue  # cropped away
            mask = read_image(folder / inst["mask"]) if inst.get("mask") else None
            refs.append(_fit(_rgba(read_image(folder / inst["image"]), mask), self.ref_size))
            boxes.append(box)
            name = inst.get("label", "")
            insts.append({"identity": name, "name": name, "phrase": inst.get("phrase") or name, "box": box, "z": j})
        if info.get("layout_image"):
            layout = square(read_image(folder / info["layout_image"])[..., :3])
        else:
            layout = compose_layout(self.size, boxes, refs)
        header = {"id": i, "scene": "", "level": 0, "caption": info.get("caption", ""), "instances": insts}
        visible = [np.zeros((self.size, self.size), np.uint8) for _ in insts]
        return RawSample(header, square(target), layout, refs, visible)
