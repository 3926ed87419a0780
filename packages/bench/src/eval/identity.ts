/**
 * Identity similarity between a reference cutout and the subject found in an image. The
 * image is sampled back into the cutout's frame through the localiser's placement (pose,
 * size and mirroring undone), then six cheap descriptors of the masked region are compared:
 * - ncc: colour pattern, masked normalised cross-correlation (insensitive to brightness/tint);
 * - hist: 4x4x4 RGB histogram after grey-world gain normalisation, Bhattacharyya coefficient;
 * - hog: gradient-orientation histograms (4x4 cells x 8 signed orientations), cosine;
 * - cell: per-cell NCC on a 4x4 grid, best 75% of cells (robust to shading and occluders);
 * - layout: per-cell mean colours after brightness matching, exp(-mean abs diff / 40);
 * - relit: partial R^2 of the crop on the reference under per-channel gain with linear shading.
 * A logistic model over these (fitted on training identities only, `bench calibrate`) gives
 * the similarity, 100 * sigmoid(w . f + b), in 0..100.
 */
import type { Raster } from '../image/raster.ts';
import { sampleBilinear } from '../image/raster.ts';
import type { Cutout, Placement } from './template.ts';
import { ALPHA_ON, toImage } from './template.ts';

/** The cutout-frame samples of an image: RGB per cutout pixel, and the cutout's mask. */
export interface AlignedCrop {
  readonly width: number;
  readonly height: number;
  readonly rgb: Float32Array; // width*height*3
  readonly mask: Uint8Array; // width*height, 1 = subject pixel
}

/** The cutout's own pixels as an aligned crop (the reference side of the comparison). */
export function cutoutCrop(cut: Cutout): AlignedCrop {
  const { width, height, data } = cut.image;
  const rgb = new Float32Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = data[i * 4 + k]!;
    mask[i] = data[i * 4 + 3]! >= ALPHA_ON ? 1 : 0;
  }
  return { width, height, rgb, mask };
}

/** Samples `image` at every cutout pixel through `placement`. */
export function alignedCrop(image: Raster, cut: Cutout, p: Placement): AlignedCrop {
  const { width, height, data } = cut.image;
  const rgb = new Float32Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const i = v * width + u;
      const [ox, oy] = toImage(cut, p, u + 0.5, v + 0.5);
      const x = p.cx + ox;
      const y = p.cy + oy;
      for (let k = 0; k < 3; k++) rgb[i * 3 + k] = sampleBilinear(image, x, y, k);
      mask[i] = data[i * 4 + 3]! >= ALPHA_ON ? 1 : 0;
    }
  }
  return { width, height, rgb, mask };
}

function maskedNccCrops(a: AlignedCrop, b: AlignedCrop): number {
  const n = a.width * a.height;
  const ma = [0, 0, 0];
  const mb = [0, 0, 0];
  let cnt = 0;
  for (let i = 0; i < n; i++) {
    if (!a.mask[i]) continue;
    cnt++;
    for (let k = 0; k < 3; k++) {
      ma[k]! += a.rgb[i * 3 + k]!;
      mb[k]! += b.rgb[i * 3 + k]!;
    }
  }
  if (cnt < 4) return 0;
  for (let k = 0; k < 3; k++) {
    ma[k]! /= cnt;
    mb[k]! /= cnt;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    if (!a.mask[i]) continue;
    for (let k = 0; k < 3; k++) {
      const x = a.rgb[i * 3 + k]! - ma[k]!;
      const y = b.rgb[i * 3 + k]! - mb[k]!;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
  }
  if (saa < 1e-6 * cnt || sbb < 1e-6 * cnt) return 0;
  return sab / Math.sqrt(saa * sbb);
}

/** One cell of a grid over the cutout frame, with the masked-pixel count and colour sums of both crops. */
interface GridCell {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  /** Subject pixels (mask of `a`) in the cell. */
  readonly n: number;
  readonly ma: number[];
  readonly mb: number[];
}

/** The `grid x grid` cells over the frame, row by row, with the sums over `a`'s subject pixels. */
function gridCells(a: AlignedCrop, b: AlignedCrop, grid: number): GridCell[] {
  const { width: w, height: h } = a;
  const cells: GridCell[] = [];
  for (let gy = 0; gy < grid; gy++) {
    for (let gx = 0; gx < grid; gx++) {
      const x0 = Math.floor((gx * w) / grid);
      const x1 = Math.floor(((gx + 1) * w) / grid);
      const y0 = Math.floor((gy * h) / grid);
      const y1 = Math.floor(((gy + 1) * h) / grid);
      let n = 0;
      const ma = [0, 0, 0];
      const mb = [0, 0, 0];
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) {
          const i = y * w + x;
          if (!a.mask[i]) continue;
          n++;
          for (let k = 0; k < 3; k++) {
            ma[k]! += a.rgb[i * 3 + k]!;
            mb[k]! += b.rgb[i * 3 + k]!;
          }
        }
      cells.push({ x0, x1, y0, y1, n, ma, mb });
    }
  }
  return cells;
}

/**
 * Local pattern agreement: NCC inside each cell of a grid over the cutout frame (cells with
 * enough subject pixels and texture), averaged after dropping the worst `trim` share of cells.
 * Cells make it insensitive to shading gradients across the subject; trimming to occluders.
 */
function cellNcc(a: AlignedCrop, b: AlignedCrop, grid: number, trim: number): number {
  const w = a.width;
  const vals: number[] = [];
  for (const { x0, x1, y0, y1, n, ma, mb } of gridCells(a, b, grid)) {
    if (n < 0.5 * (x1 - x0) * (y1 - y0) || n < 6) continue;
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) {
        const i = y * w + x;
        if (!a.mask[i]) continue;
        for (let k = 0; k < 3; k++) {
          const da = a.rgb[i * 3 + k]! - ma[k]! / n;
          const db = b.rgb[i * 3 + k]! - mb[k]! / n;
          ab += da * db;
          aa += da * da;
          bb += db * db;
        }
      }
    if (aa < 25 * 3 * n) continue; // flat cell in the reference: says nothing
    vals.push(bb > 1e-6 ? ab / Math.sqrt(aa * bb) : 0);
  }
  if (vals.length === 0) return 0;
  vals.sort((x, y) => y - x);
  const keep = Math.max(1, Math.ceil(vals.length * (1 - trim)));
  return vals.slice(0, keep).reduce((s, v) => s + v, 0) / keep;
}

/** Solves the symmetric system A x = b (n x n, row-major) by Gaussian elimination; null when singular. */
function solve(A: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++)
      if (Math.abs(M[r * n + c]!) > Math.abs(M[piv * n + c]!)) piv = r;
    if (Math.abs(M[piv * n + c]!) < 1e-9) return null;
    if (piv !== c) {
      for (let k = 0; k < n; k++) [M[c * n + k], M[piv * n + k]] = [M[piv * n + k]!, M[c * n + k]!];
      [x[c], x[piv]] = [x[piv]!, x[c]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c]! / M[c * n + c]!;
      for (let k = c; k < n; k++) M[r * n + k]! -= f * M[c * n + k]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let v = x[c]!;
    for (let k = c + 1; k < n; k++) v -= M[c * n + k]! * x[k]!;
    x[c] = v / M[c * n + c]!;
  }
  return x;
}

/** Residual sum of squares of the least-squares fit of y on the columns of X (rows = pixels). */
function rss(X: Float64Array[], y: Float64Array): number {
  const n = X.length;
  const A = new Float64Array(n * n);
  const b = new Float64Array(n);
  const m = y.length;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let v = 0;
      for (let p = 0; p < m; p++) v += X[i]![p]! * X[j]![p]!;
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
    let v = 0;
    for (let p = 0; p < m; p++) v += X[i]![p]! * y[p]!;
    b[i] = v;
  }
  // Ridge so flat columns do not make the system singular.
  for (let i = 0; i < n; i++) A[i * n + i]! += 1e-6 * (A[i * n + i]! + 1);
  const w = solve(A, b, n);
  if (!w) return y.reduce((s, v) => s + v * v, 0);
  let r = 0;
  for (let p = 0; p < m; p++) {
    let f = 0;
    for (let i = 0; i < n; i++) f += w[i]! * X[i]![p]!;
    r += (y[p]! - f) ** 2;
  }
  return r;
}

/**
 * Relit agreement: per channel, how much of the generated crop's variation (beyond a linear
 * shading plane) the reference explains under a shading-modulated gain,
 * y ~ [1, x, y] + r * [1, x, y]: partial R^2, averaged over channels, in 0..1.
 */
function relitAgreement(a: AlignedCrop, b: AlignedCrop): number {
  const { width: w, height: h } = a;
  const idx: number[] = [];
  for (let i = 0; i < w * h; i++) if (a.mask[i]) idx.push(i);
  const m = idx.length;
  if (m < 12) return 0;
  const one = new Float64Array(m).fill(1);
  const xs = Float64Array.from(idx, (i) => ((i % w) + 0.5) / w - 0.5);
  const ys = Float64Array.from(idx, (i) => (Math.floor(i / w) + 0.5) / h - 0.5);
  let total = 0;
  for (let k = 0; k < 3; k++) {
    const r = Float64Array.from(idx, (i) => a.rgb[i * 3 + k]! / 255);
    const y = Float64Array.from(idx, (i) => b.rgb[i * 3 + k]! / 255);
    const plane = rss([one, xs, ys], y);
    if (plane < 1e-9) continue;
    const full = rss([one, xs, ys, r, r.map((v, p) => v * xs[p]!), r.map((v, p) => v * ys[p]!)], y);
    total += Math.max(0, 1 - full / plane);
  }
  return total / 3;
}

const BINS = 4;

/**
 * Colour layout: mean colour of each cell of a grid over the cutout frame (cells with enough
 * subject pixels), compared as the mean absolute difference in 0..255 units after matching the
 * overall brightness. Returns a similarity in 0..1 (1 = same colours in the same places).
 */
function colourLayout(a: AlignedCrop, b: AlignedCrop, grid: number): number {
  const cellsA: number[][] = [];
  const cellsB: number[][] = [];
  let la = 0;
  let lb = 0;
  for (const { x0, x1, y0, y1, n, ma, mb } of gridCells(a, b, grid)) {
    if (n < 0.4 * (x1 - x0) * (y1 - y0) || n < 3) continue;
    cellsA.push(ma.map((v) => v / n));
    cellsB.push(mb.map((v) => v / n));
    la += (ma[0]! + ma[1]! + ma[2]!) / n;
    lb += (mb[0]! + mb[1]! + mb[2]!) / n;
  }
  if (cellsA.length === 0 || lb <= 0) return 0;
  const g = la / lb;
  let d = 0;
  for (let c = 0; c < cellsA.length; c++)
    for (let k = 0; k < 3; k++) d += Math.abs(cellsA[c]![k]! - g * cellsB[c]![k]!);
  d /= 3 * cellsA.length;
  return Math.exp(-d / 40);
}

/** Grey-world-normalised RGB histogram of the masked pixels, soft (trilinear) binning. */
function colourHistogram(c: AlignedCrop): Float64Array {
  const n = c.width * c.height;
  const mean = [0, 0, 0];
  let cnt = 0;
  for (let i = 0; i < n; i++) {
    if (!c.mask[i]) continue;
    cnt++;
    for (let k = 0; k < 3; k++) mean[k]! += c.rgb[i * 3 + k]!;
  }
  const h = new Float64Array(BINS * BINS * BINS);
  if (cnt === 0) return h;
  const grey = (mean[0]! + mean[1]! + mean[2]!) / 3 / cnt;
  const gain = mean.map((m) => (m > 1e-3 ? (grey * cnt) / m : 1));
  for (let i = 0; i < n; i++) {
    if (!c.mask[i]) continue;
    const pos: number[] = [];
    for (let k = 0; k < 3; k++) {
      const v = Math.min(255, c.rgb[i * 3 + k]! * gain[k]!);
      pos.push(Math.min(BINS - 1, Math.max(0, (v / 256) * BINS - 0.5)));
    }
    const [r, g, b] = pos as [number, number, number];
    const r0 = Math.floor(r);
    const g0 = Math.floor(g);
    const b0 = Math.floor(b);
    for (let dr = 0; dr < 2; dr++) {
      const wr = dr ? r - r0 : 1 - (r - r0);
      const ri = Math.min(BINS - 1, r0 + dr);
      for (let dg = 0; dg < 2; dg++) {
        const wg = dg ? g - g0 : 1 - (g - g0);
        const gi = Math.min(BINS - 1, g0 + dg);
        for (let db = 0; db < 2; db++) {
          const wb = db ? b - b0 : 1 - (b - b0);
          const bi = Math.min(BINS - 1, b0 + db);
          h[(ri * BINS + gi) * BINS + bi]! += wr * wg * wb;
        }
      }
    }
  }
  for (let i = 0; i < h.length; i++) h[i]! /= cnt;
  return h;
}

function bhattacharyya(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.sqrt(a[i]! * b[i]!);
  return Math.min(1, s);
}

const CELLS = 4;
const ORIENT = 8;

/** Gradient-orientation histogram of the grey crop over the mask, CELLS x CELLS x ORIENT. */
function orientationHistogram(c: AlignedCrop): Float64Array {
  const { width: w, height: h } = c;
  const grey = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++)
    grey[i] = 0.299 * c.rgb[i * 3]! + 0.587 * c.rgb[i * 3 + 1]! + 0.114 * c.rgb[i * 3 + 2]!;
  const out = new Float64Array(CELLS * CELLS * ORIENT);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (!c.mask[i]) continue;
      const gx = grey[i + 1]! - grey[i - 1]!;
      const gy = grey[i + w]! - grey[i - w]!;
      const mag = Math.hypot(gx, gy);
      if (mag < 1e-3) continue;
      const o = ((Math.atan2(gy, gx) + Math.PI) / (2 * Math.PI)) * ORIENT;
      const o0 = Math.floor(o) % ORIENT;
      const o1 = (o0 + 1) % ORIENT;
      const wo = o - Math.floor(o);
      const cx = Math.min(CELLS - 1, Math.floor((x / w) * CELLS));
      const cy = Math.min(CELLS - 1, Math.floor((y / h) * CELLS));
      const base = (cy * CELLS + cx) * ORIENT;
      out[base + o0]! += mag * (1 - wo);
      out[base + o1]! += mag * wo;
    }
  }
  return out;
}

function cosine(a: Float64Array, b: Float64Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

export const IDENTITY_FEATURES = ['ncc', 'hist', 'hog', 'cell', 'layout', 'relit'] as const;

/** The five descriptor agreements, in IDENTITY_FEATURES order. */
export function identityFeatures(reference: AlignedCrop, generated: AlignedCrop): number[] {
  return [
    maskedNccCrops(reference, generated),
    bhattacharyya(colourHistogram(reference), colourHistogram(generated)),
    cosine(orientationHistogram(reference), orientationHistogram(generated)),
    cellNcc(reference, generated, 4, 0.25),
    colourLayout(reference, generated, 4),
    relitAgreement(reference, generated),
  ];
}

/** Logistic weights over IDENTITY_FEATURES plus a bias. */
export interface IdentityModel {
  readonly features: readonly string[];
  readonly weights: readonly number[];
  readonly bias: number;
}

/** Similarity 0..100 from the descriptor agreements. */
export function identitySimilarity(model: IdentityModel, features: readonly number[]): number {
  let z = model.bias;
  for (let k = 0; k < features.length; k++) z += model.weights[k]! * features[k]!;
  return 100 / (1 + Math.exp(-z));
}

/**
 * Fits the logistic model: genuine pairs (label 1) against impostor pairs (label 0), by
 * gradient ascent on the mean log-likelihood with a small L2 penalty. Deterministic.
 */
export function fitIdentityModel(
  samples: readonly { features: readonly number[]; genuine: boolean }[],
  iterations = 4000,
): IdentityModel {
  if (samples.length === 0) throw new Error('fitIdentityModel: no samples');
  const d = samples[0]!.features.length;
  const w = new Array<number>(d + 1).fill(0);
  const lr = 0.5;
  const l2 = 1e-4;
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d + 1).fill(0);
    for (const s of samples) {
      let z = w[d]!;
      for (let k = 0; k < d; k++) z += w[k]! * s.features[k]!;
      const err = (s.genuine ? 1 : 0) - 1 / (1 + Math.exp(-z));
      for (let k = 0; k < d; k++) grad[k]! += err * s.features[k]!;
      grad[d]! += err;
    }
    for (let k = 0; k <= d; k++)
      w[k]! += lr * (grad[k]! / samples.length - (k < d ? l2 * w[k]! : 0));
  }
  return { features: [...IDENTITY_FEATURES], weights: w.slice(0, d), bias: w[d]! };
}
