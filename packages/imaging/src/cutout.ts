/**
 * Automatic cutout of a reference photographed on a plain or smoothly graded background.
 *
 * 1. Background model: a bilinear colour surface `c(u,v) = a + b u + c v + d uv` fitted to a band
 *    of border pixels by least squares, refitted twice without outliers (a subject touching the
 *    border does not bend it).
 * 2. Distance: CIE76 ΔE in L*a*b* between each pixel and the background predicted at its place.
 *    Threshold: `max(minThreshold, 3 x the 90th-percentile ΔE of the border inliers)` unless given.
 * 3. Flood fill from the border through pixels below the threshold: that is the background; all
 *    else (including enclosed regions of background colour, such as the white of an eye) is subject.
 * 4. Cleanup: morphological opening, then keep the largest component and those at least
 *    `minComponentFraction` of it; optional feathering (box blur of the edge).
 *
 * Good on studio-style references (uniform or gradient backdrops); not a general matting method.
 */
import type { Mask, RgbaImage } from '@contextgen/core';
import { srgbToLab } from './color.ts';
import { floodFromBorder, keepLargeComponents, open } from './morphology.ts';

export interface CutoutOptions {
  /** ΔE above which a pixel differs from the background; automatic when absent. */
  readonly threshold?: number;
  /** Lower bound of the automatic threshold (ΔE). */
  readonly minThreshold?: number;
  /** Width of the border band sampled for the background, px; default 2% of the short side (>= 1). */
  readonly borderWidth?: number;
  /** Opening radius in px (0 = none). */
  readonly openRadius?: number;
  /** Keep components at least this fraction of the largest one. */
  readonly minComponentFraction?: number;
  /** Box-blur radius of the mask edge in px (0 = hard 0/255 mask). */
  readonly featherRadius?: number;
}

export const DEFAULT_CUTOUT_OPTIONS = {
  minThreshold: 10,
  openRadius: 1,
  minComponentFraction: 0.05,
  featherRadius: 0,
} as const;

export interface CutoutResult {
  readonly mask: Mask;
  /** The ΔE threshold used. */
  readonly threshold: number;
  /** The estimated background colour at the image centre (sRGB 0..255). */
  readonly backgroundCentre: readonly [number, number, number];
}

/** Coefficients per channel: [a, b, c, d] of `a + b u + c v + d uv`. */
type Surface = [number[], number[], number[]];

function solve4(m: number[][], rhs: number[]): number[] {
  // Gaussian elimination with partial pivoting on a 4x4 system (with a tiny ridge for stability).
  const a = m.map((row, i) => [...row.map((v, j) => v + (i === j ? 1e-9 : 0)), rhs[i]!]);
  const n = 4;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    if (Math.abs(p) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / p;
      for (let k = col; k <= n; k++) a[r]![k]! -= f * a[col]![k]!;
    }
  }
  return a.map((row, i) => (Math.abs(row[i]!) < 1e-12 ? 0 : row[n]! / row[i]!));
}

function fitSurface(samples: Float64Array, count: number, use: Uint8Array): Surface {
  // samples: [u, v, r, g, b] * count
  const ata = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  const atb = [0, 1, 2].map(() => [0, 0, 0, 0]);
  const f = [0, 0, 0, 0];
  for (let i = 0; i < count; i++) {
    if (!use[i]) continue;
    const o = i * 5;
    const u = samples[o]!;
    const v = samples[o + 1]!;
    f[0] = 1;
    f[1] = u;
    f[2] = v;
    f[3] = u * v;
    for (let j = 0; j < 4; j++) {
      for (let k = 0; k < 4; k++) ata[j]![k]! += f[j]! * f[k]!;
      for (let c = 0; c < 3; c++) atb[c]![j]! += f[j]! * samples[o + 2 + c]!;
    }
  }
  return [solve4(ata, atb[0]!), solve4(ata, atb[1]!), solve4(ata, atb[2]!)];
}

function evalSurface(s: Surface, u: number, v: number, out: number[]): void {
  for (let c = 0; c < 3; c++) {
    const k = s[c]!;
    out[c] = k[0]! + k[1]! * u + k[2]! * v + k[3]! * u * v;
  }
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

/** ΔE of every pixel to the background surface. */
function distanceMap(image: RgbaImage, s: Surface): Float32Array {
  const { width: w, height: h, data } = image;
  const dist = new Float32Array(w * h);
  const bg = [0, 0, 0];
  const labP = [0, 0, 0];
  const labB = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    const v = h > 1 ? (y / (h - 1)) * 2 - 1 : 0;
    for (let x = 0; x < w; x++) {
      const u = w > 1 ? (x / (w - 1)) * 2 - 1 : 0;
      const i = y * w + x;
      evalSurface(s, u, v, bg);
      srgbToLab(data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!, labP);
      srgbToLab(bg[0]!, bg[1]!, bg[2]!, labB);
      dist[i] = Math.hypot(labP[0]! - labB[0]!, labP[1]! - labB[1]!, labP[2]! - labB[2]!);
    }
  }
  return dist;
}

function borderIndices(w: number, h: number, band: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x < band || y < band || x >= w - band || y >= h - band) out.push(y * w + x);
    }
  }
  return out;
}

function feather(binary: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const out = new Uint8Array(w * h);
  if (r <= 0) {
    for (let i = 0; i < out.length; i++) out[i] = binary[i] ? 255 : 0;
    return out;
  }
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let n = 0;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++, n++)
        sum += binary[y * w + k]!;
      tmp[y * w + x] = sum / n;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let n = 0;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++, n++)
        sum += tmp[k * w + x]!;
      out[y * w + x] = Math.round((sum / n) * 255);
    }
  }
  return out;
}

/**
 * Estimate the subject mask of a reference without alpha. Pure: data in, mask out.
 * An image that is all background yields an all-zero mask (callers report it).
 */
export function autoCutout(image: RgbaImage, options: CutoutOptions = {}): CutoutResult {
  const { width: w, height: h, data } = image;
  const opts = { ...DEFAULT_CUTOUT_OPTIONS, ...options };
  const band = Math.max(1, Math.round(options.borderWidth ?? Math.min(w, h) * 0.02));
  const border = borderIndices(w, h, band);
  const samples = new Float64Array(border.length * 5);
  border.forEach((p, i) => {
    const x = p % w;
    const y = (p - x) / w;
    samples[i * 5] = w > 1 ? (x / (w - 1)) * 2 - 1 : 0;
    samples[i * 5 + 1] = h > 1 ? (y / (h - 1)) * 2 - 1 : 0;
    samples[i * 5 + 2] = data[p * 4]!;
    samples[i * 5 + 3] = data[p * 4 + 1]!;
    samples[i * 5 + 4] = data[p * 4 + 2]!;
  });

  // Robust fit: refit twice, dropping border samples far from the current surface (RGB distance).
  const use = new Uint8Array(border.length).fill(1);
  let surface = fitSurface(samples, border.length, use);
  const pred = [0, 0, 0];
  for (let iter = 0; iter < 2; iter++) {
    const residuals = border.map((_, i) => {
      evalSurface(surface, samples[i * 5]!, samples[i * 5 + 1]!, pred);
      return Math.hypot(
        samples[i * 5 + 2]! - pred[0]!,
        samples[i * 5 + 3]! - pred[1]!,
        samples[i * 5 + 4]! - pred[2]!,
      );
    });
    const cut = Math.max(6, 2.5 * percentile(residuals, 0.5));
    residuals.forEach((r, i) => (use[i] = r <= cut ? 1 : 0));
    surface = fitSurface(samples, border.length, use);
  }

  const dist = distanceMap(image, surface);
  let threshold = options.threshold;
  if (threshold === undefined) {
    const inlierDist = border.filter((_, i) => use[i]).map((p) => dist[p]!);
    threshold = Math.max(opts.minThreshold, 3 * percentile(inlierDist, 0.9));
  }
  const passable = new Uint8Array(w * h);
  for (let i = 0; i < passable.length; i++) passable[i] = dist[i]! < threshold ? 1 : 0;
  const background = floodFromBorder(passable, w, h);
  let subject: Uint8Array = new Uint8Array(w * h);
  for (let i = 0; i < subject.length; i++) subject[i] = background[i] ? 0 : 1;
  subject = open(subject, w, h, opts.openRadius);
  subject = keepLargeComponents(subject, w, h, opts.minComponentFraction);

  evalSurface(surface, 0, 0, pred);
  return {
    mask: { width: w, height: h, data: feather(subject, w, h, opts.featherRadius) },
    threshold,
    backgroundCentre: [pred[0]!, pred[1]!, pred[2]!].map((v) => Math.min(255, Math.max(0, v))) as [
      number,
      number,
      number,
    ],
  };
}
