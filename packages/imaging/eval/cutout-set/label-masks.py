"""Make the true masks of the cutout evaluation set from the hand-drawn outlines in polygons.json.

Each outline is refined with OpenCV GrabCut: pixels deeper than `band` px inside the outline are
sure subject, deeper than `band` px outside are sure background, the band between is decided by
GrabCut (5 iterations). The result is written as <name>.mask.png (1-bit, white = subject) and an
overlay <name>.check.png into --check-dir for a visual review. Needs opencv-python-headless and the
scikit-image wheel's data folder (--skimage-data); not part of the tests (the masks are committed).
Run: python label-masks.py --skimage-data DIR [--check-dir DIR]
"""

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skimage-data", required=True, type=Path)
    ap.add_argument("--check-dir", type=Path)
    args = ap.parse_args()
    spec = json.loads((HERE / "polygons.json").read_text())
    for name, item in spec["images"].items():
        image = cv2.imread(str(args.skimage_data / Path(item["source"]).name), cv2.IMREAD_COLOR)
        h, w = image.shape[:2]
        outline = np.zeros((h, w), np.uint8)
        cv2.fillPoly(outline, [np.array(item["polygon"], np.int32)], 1)
        band = int(item["band"])
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
        inner = cv2.erode(outline, kernel, borderType=cv2.BORDER_REPLICATE)
        outer = cv2.dilate(outline, kernel, borderType=cv2.BORDER_REPLICATE)
        gc = np.full((h, w), cv2.GC_BGD, np.uint8)
        gc[outer == 1] = cv2.GC_PR_BGD
        gc[outline == 1] = cv2.GC_PR_FGD
        gc[inner == 1] = cv2.GC_FGD
        bgd = np.zeros((1, 65), np.float64)
        fgd = np.zeros((1, 65), np.float64)
        cv2.setRNGSeed(0)
        cv2.grabCut(image, gc, None, bgd, fgd, 5, cv2.GC_INIT_WITH_MASK)
        mask = np.where((gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
        # Keep the largest component and fill holes smaller than the band (GrabCut speckle).
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
        if n > 1:
            largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
            mask = np.where(labels == largest, 255, 0).astype(np.uint8)
        inv = 255 - mask
        n, labels, stats, _ = cv2.connectedComponentsWithStats(inv, connectivity=4)
        for k in range(1, n):
            x, y, bw, bh, area = stats[k]
            touches = x == 0 or y == 0 or x + bw == w or y + bh == h
            if not touches and area < band * band * 4:
                mask[labels == k] = 255
        cv2.imwrite(str(HERE / f"{name}.mask.png"), mask, [cv2.IMWRITE_PNG_BILEVEL, 1])
        print(f"{name}: {w}x{h}, subject {100 * (mask > 0).mean():.1f} %")
        if args.check_dir:
            args.check_dir.mkdir(parents=True, exist_ok=True)
            over = image.copy()
            over[mask == 0] = (over[mask == 0] * 0.35).astype(np.uint8)
            edge = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
            over[edge > 0] = (0, 255, 0)
            cv2.imwrite(str(args.check_dir / f"{name}.check.png"), over)


if __name__ == "__main__":
    main()
