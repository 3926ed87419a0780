/**
 * A reference cutout as a matching template: the reference RGBA cropped to its mask's
 * bounding box, and its pixels under a similarity transform (scale, rotation, mirror) as
 * integer offsets from the placement centre, ready for masked correlation.
 */
import { SUBJECT_MIN } from '@contextgen/core';
import type { Raster } from '../image/raster.ts';
import { cropRaster, resizeRaster, sampleBilinear } from '../image/raster.ts';
import { maskBox } from './box.ts';

/** Alpha at or above this counts as the subject: core's one rule (subject-rule.ts). */
export const ALPHA_ON = SUBJECT_MIN;
/** Alpha above this counts towards the subject's box (the renderer's tight box uses coverage > 0.25). */
export const ALPHA_BOX = 64;

/** A reference cropped to its mask, RGBA. */
export interface Cutout {
  readonly image: Raster; // channels 4
}

/** Where a template sits in an image: centre (continuous pixel coordinates), scale, angle, mirror. */
export interface Placement {
  readonly cx: number;
  readonly cy: number;
  /** Image pixels per template pixel. */
  readonly scale: number;
  /** Radians; positive turns clockwise on screen (y down). */
  readonly angle: number;
  readonly flip: boolean;
  /** Horizontal stretch after rotation (x by sqrt(aspect), y by 1/sqrt(aspect)); 1 = none. */
  readonly aspect: number;
}

/** Scale, rotation, mirror and stretch of a template, without the position. */
export type Pose = Omit<Placement, 'cx' | 'cy'>;

/** Crops a reference RGBA to its mask; optionally shrinks it so its longer side is `maxSide`. */
export function cutoutOf(reference: Raster, maxSide = 0): Cutout {
  if (reference.channels !== 4)
    throw new Error(`reference must be RGBA (4 channels), got ${reference.channels}`);
  const b = maskBox(reference.data, reference.width, reference.height, 4, 3);
  if (!b) throw new Error('reference mask is empty: its alpha channel has no pixel above 0');
  let img = cropRaster(reference, b[0], b[1], b[2] - b[0], b[3] - b[1]);
  const side = Math.max(img.width, img.height);
  if (maxSide > 0 && side > maxSide) {
    const f = maxSide / side;
    img = resizeRaster(
      img,
      Math.max(1, Math.round(img.width * f)),
      Math.max(1, Math.round(img.height * f)),
    );
  }
  return { image: img };
}

/** A transformed template: offsets from the centre pixel and zero-mean colours. */
export interface TemplatePixels {
  readonly n: number;
  readonly dx: Int32Array;
  readonly dy: Int32Array;
  /** Per pixel r,g,b minus the per-channel mean. */
  readonly v: Float32Array;
  /** L2 norm of `v`. */
  readonly norm: number;
  /** Extent of the offsets whose alpha exceeds ALPHA_BOX (inclusive). */
  readonly minX: number;
  readonly maxX: number;
  readonly minY: number;
  readonly maxY: number;
}

/** Maps an image offset (relative to the placement centre) to template coordinates. */
export function toTemplate(cut: Cutout, p: Pose, ox: number, oy: number): [number, number] {
  const c = Math.cos(p.angle);
  const s = Math.sin(p.angle);
  const sa = Math.sqrt(p.aspect);
  const ax = ox / sa;
  const ay = oy * sa;
  let x = (c * ax + s * ay) / p.scale;
  const y = (-s * ax + c * ay) / p.scale;
  if (p.flip) x = -x;
  return [x + cut.image.width / 2, y + cut.image.height / 2];
}

/** Maps template coordinates to an image offset from the placement centre. */
export function toImage(cut: Cutout, p: Pose, u: number, v: number): [number, number] {
  let x = u - cut.image.width / 2;
  const y = v - cut.image.height / 2;
  if (p.flip) x = -x;
  const c = Math.cos(p.angle);
  const s = Math.sin(p.angle);
  const sa = Math.sqrt(p.aspect);
  return [p.scale * (c * x - s * y) * sa, (p.scale * (s * x + c * y)) / sa];
}

/** Bounding box (relative to the centre) of the template's mask under a pose at scale 1, from its corners of mask pixels. */
export function poseExtent(cut: Cutout, p: Pose): [number, number, number, number] {
  const { width, height, data } = cut.image;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      if (data[(v * width + u) * 4 + 3]! < ALPHA_ON) continue;
      for (const [du, dv] of CORNERS) {
        const [x, y] = toImage(cut, p, u + du, v + dv);
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return [x0, y0, x1, y1];
}

const CORNERS = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
] as const;

/** Rasterises the template under (scale, angle, flip) as offsets on the integer grid. */
export function transformTemplate(cut: Cutout, p: Pose): TemplatePixels {
  const img = cut.image;
  const stretch = Math.sqrt(Math.max(p.aspect, 1 / p.aspect));
  const half = Math.ceil((p.scale * stretch * Math.hypot(img.width, img.height)) / 2) + 1;
  const dx: number[] = [];
  const dy: number[] = [];
  const v: number[] = [];
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let oy = -half; oy <= half; oy++) {
    for (let ox = -half; ox <= half; ox++) {
      const [u, w] = toTemplate(cut, p, ox, oy);
      if (u < 0 || w < 0 || u > img.width || w > img.height) continue;
      const a = sampleBilinear(img, u, w, 3);
      if (a <= ALPHA_BOX) continue;
      if (ox < minX) minX = ox;
      if (ox > maxX) maxX = ox;
      if (oy < minY) minY = oy;
      if (oy > maxY) maxY = oy;
      if (a < ALPHA_ON) continue;
      dx.push(ox);
      dy.push(oy);
      // Un-premultiply the fringe: bilinear mixes colour with transparent pixels.
      const k = 255 / Math.max(a, 1);
      for (let ch = 0; ch < 3; ch++)
        v.push(Math.min(255, sampleBilinear(img, u, w, ch) * (a >= 250 ? 1 : k)));
    }
  }
  const n = dx.length;
  const vv = Float32Array.from(v);
  let norm = 0;
  for (let ch = 0; ch < 3; ch++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += vv[i * 3 + ch]!;
    m = n > 0 ? m / n : 0;
    for (let i = 0; i < n; i++) {
      const t = vv[i * 3 + ch]! - m;
      vv[i * 3 + ch] = t;
      norm += t * t;
    }
  }
  return {
    n,
    dx: Int32Array.from(dx),
    dy: Int32Array.from(dy),
    v: vv,
    norm: Math.sqrt(norm),
    minX,
    maxX,
    minY,
    maxY,
  };
}

/**
 * Masked normalised cross-correlation of the template placed with its centre pixel at
 * (px, py) in an RGB image (edge pixels repeat outside the image). Per-channel means are
 * removed on both sides, so a uniform brightness or tint change does not lower the score.
 * Returns a value in [-1, 1]; 0 when the image region is flat.
 */
export function maskedNcc(img: Raster, t: TemplatePixels, px: number, py: number): number {
  if (t.n === 0 || t.norm === 0) return 0;
  const W = img.width;
  const H = img.height;
  const d = img.data;
  const c = img.channels;
  let st = 0;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let q = 0;
  for (let i = 0; i < t.n; i++) {
    let x = px + t.dx[i]!;
    let y = py + t.dy[i]!;
    x = x < 0 ? 0 : x >= W ? W - 1 : x;
    y = y < 0 ? 0 : y >= H ? H - 1 : y;
    const o = (y * W + x) * c;
    const r = d[o]!;
    const g = d[o + 1]!;
    const b = d[o + 2]!;
    st += t.v[i * 3]! * r + t.v[i * 3 + 1]! * g + t.v[i * 3 + 2]! * b;
    s0 += r;
    s1 += g;
    s2 += b;
    q += r * r + g * g + b * b;
  }
  const n = t.n;
  const variance = q - (s0 * s0 + s1 * s1 + s2 * s2) / n;
  if (variance <= 1e-6 * n) return 0;
  return st / (t.norm * Math.sqrt(variance));
}
