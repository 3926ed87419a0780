/** Synthetic test images (test-only helpers). */
import type { RgbaImage } from '@contextgen/core';

export type Rgb = readonly [number, number, number];

/** A `w x h` image whose pixel colour is `paint(x, y)`; alpha 255. */
export function paintImage(w: number, h: number, paint: (x: number, y: number) => Rgb): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = paint(x, y);
      const i = (y * w + x) * 4;
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
      data[i + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

export function inDisc(x: number, y: number, cx: number, cy: number, r: number): boolean {
  return (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r;
}

/** Intersection over union of a mask (value > `cut` = in) with a predicate. */
export function iou(
  mask: Uint8Array,
  w: number,
  truth: (x: number, y: number) => boolean,
  cut = 0,
): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < mask.length; i++) {
    const x = i % w;
    const y = (i - x) / w;
    const a = mask[i]! > cut;
    const b = truth(x, y);
    if (a && b) inter++;
    if (a || b) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** Deterministic noise in [-amp, amp] (LCG), for noisy backgrounds. */
export function noiseSource(seed: number, amp: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 0xffffffff) * 2 * amp - amp;
  };
}
