/**
 * Pure-TypeScript raster operations on `RgbaImage` and `Mask` (no native code, no DOM).
 *
 * Resampling conventions (shared with the Python side):
 * - `bilinear`: half-pixel centres, `src = (dst + 0.5) * in/out - 0.5` clamped to the edge,
 *   no antialiasing (torch `interpolate(mode='bilinear', align_corners=False, antialias=False)`),
 *   results rounded to the nearest integer.
 * - `area`: each output pixel averages the input pixels its footprint covers, weighted by overlap.
 * - Masks resize bilinearly on 0..1 and threshold at 0.5 (>= 0.5 becomes 255, else 0).
 * Which mask values are the subject is subject-rule.ts's `isSubject` everywhere.
 */
import { isSubject } from './subject-rule.ts';
import type { Mask, RgbaImage } from './types.ts';

export type ResampleMethod = 'bilinear' | 'area';

/** An axis-aligned pixel rectangle with integer origin and size. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${what} size must be positive integers, got ${width}x${height}`);
  }
}

/** A transparent black image (every byte 0). */
export function createImage(width: number, height: number): RgbaImage {
  checkSize(width, height, 'image');
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

/** An all-zero mask. */
export function createMask(width: number, height: number): Mask {
  checkSize(width, height, 'mask');
  return { width, height, data: new Uint8Array(width * height) };
}

/** A new image of the same size filled with one RGBA colour. */
export function fillImage(
  width: number,
  height: number,
  rgba: readonly [number, number, number, number],
): RgbaImage {
  const img = createImage(width, height);
  for (let i = 0; i < width * height; i++) img.data.set(rgba, i * 4);
  return img;
}

/** Sample positions and weights of one output axis for bilinear resampling. */
function bilinearAxis(
  inSize: number,
  outSize: number,
): { i0: Int32Array; i1: Int32Array; w1: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    let s = (o + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    if (s > inSize - 1) s = inSize - 1;
    const f = Math.floor(s);
    i0[o] = f;
    i1[o] = Math.min(f + 1, inSize - 1);
    w1[o] = s - f;
  }
  return { i0, i1, w1 };
}

/** Input-index ranges and overlap weights of one output axis for area resampling. */
function areaAxis(inSize: number, outSize: number): { start: Int32Array; weights: Float64Array[] } {
  const scale = inSize / outSize;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const a = o * scale;
    const b = (o + 1) * scale;
    const first = Math.floor(a);
    const last = Math.min(inSize - 1, Math.ceil(b) - 1);
    const w = new Float64Array(last - first + 1);
    for (let i = first; i <= last; i++)
      w[i - first] = (Math.min(b, i + 1) - Math.max(a, i)) / scale;
    start[o] = first;
    weights.push(w);
  }
  return { start, weights };
}

/** Resample `channels`-interleaved float planes; returns floats (not rounded). */
function resamplePlanes(
  src: ArrayLike<number>,
  inW: number,
  inH: number,
  channels: number,
  outW: number,
  outH: number,
  method: ResampleMethod,
): Float64Array {
  const out = new Float64Array(outW * outH * channels);
  if (method === 'bilinear') {
    const ax = bilinearAxis(inW, outW);
    const ay = bilinearAxis(inH, outH);
    for (let y = 0; y < outH; y++) {
      const r0 = ay.i0[y]! * inW;
      const r1 = ay.i1[y]! * inW;
      const wy = ay.w1[y]!;
      for (let x = 0; x < outW; x++) {
        const c0 = ax.i0[x]!;
        const c1 = ax.i1[x]!;
        const wx = ax.w1[x]!;
        for (let c = 0; c < channels; c++) {
          const p00 = src[(r0 + c0) * channels + c]!;
          const p01 = src[(r0 + c1) * channels + c]!;
          const p10 = src[(r1 + c0) * channels + c]!;
          const p11 = src[(r1 + c1) * channels + c]!;
          const top = p00 + (p01 - p00) * wx;
          const bottom = p10 + (p11 - p10) * wx;
          out[(y * outW + x) * channels + c] = top + (bottom - top) * wy;
        }
      }
    }
    return out;
  }
  // Area: separable, rows first into a temp buffer.
  const ax = areaAxis(inW, outW);
  const ay = areaAxis(inH, outH);
  const tmp = new Float64Array(outW * inH * channels);
  for (let y = 0; y < inH; y++) {
    for (let x = 0; x < outW; x++) {
      const w = ax.weights[x]!;
      const s = ax.start[x]!;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k]! * src[(y * inW + s + k) * channels + c]!;
        tmp[(y * outW + x) * channels + c] = acc;
      }
    }
  }
  for (let y = 0; y < outH; y++) {
    const w = ay.weights[y]!;
    const s = ay.start[y]!;
    for (let x = 0; x < outW; x++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k]! * tmp[((s + k) * outW + x) * channels + c]!;
        out[(y * outW + x) * channels + c] = acc;
      }
    }
  }
  return out;
}

/** Resize an RGBA image (all four channels, not premultiplied). */
export function resizeImage(
  img: RgbaImage,
  width: number,
  height: number,
  method: ResampleMethod = 'bilinear',
): RgbaImage {
  checkSize(width, height, 'resized image');
  if (width === img.width && height === img.height)
    return { width, height, data: new Uint8ClampedArray(img.data) };
  const f = resamplePlanes(img.data, img.width, img.height, 4, width, height, method);
  const data = new Uint8ClampedArray(f.length);
  for (let i = 0; i < f.length; i++) data[i] = Math.round(f[i]!);
  return { width, height, data };
}

/** Resize a mask: bilinear (or area) on 0..1, then threshold at 0.5 to 0/255. */
export function resizeMask(
  mask: Mask,
  width: number,
  height: number,
  method: ResampleMethod = 'bilinear',
): Mask {
  checkSize(width, height, 'resized mask');
  const src = new Float64Array(mask.data.length);
  for (let i = 0; i < src.length; i++) src[i] = isSubject(mask.data[i]!) ? 1 : 0;
  const f = resamplePlanes(src, mask.width, mask.height, 1, width, height, method);
  const data = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) data[i] = f[i]! >= 0.5 ? 255 : 0;
  return { width, height, data };
}

function checkRect(rect: PixelRect, width: number, height: number): void {
  const { x, y, width: w, height: h } = rect;
  if (
    ![x, y, w, h].every(Number.isInteger) ||
    w < 1 ||
    h < 1 ||
    x < 0 ||
    y < 0 ||
    x + w > width ||
    y + h > height
  ) {
    throw new RangeError(
      `crop rectangle ${JSON.stringify(rect)} is not inside the ${width}x${height} raster`,
    );
  }
}

/** Copy a rectangle out of an image. */
export function cropImage(img: RgbaImage, rect: PixelRect): RgbaImage {
  checkRect(rect, img.width, img.height);
  const out = createImage(rect.width, rect.height);
  for (let y = 0; y < rect.height; y++) {
    const from = ((rect.y + y) * img.width + rect.x) * 4;
    out.data.set(img.data.subarray(from, from + rect.width * 4), y * rect.width * 4);
  }
  return out;
}

/** Copy a rectangle out of a mask. */
export function cropMask(mask: Mask, rect: PixelRect): Mask {
  checkRect(rect, mask.width, mask.height);
  const out = createMask(rect.width, rect.height);
  for (let y = 0; y < rect.height; y++) {
    const from = (rect.y + y) * mask.width + rect.x;
    out.data.set(mask.data.subarray(from, from + rect.width), y * rect.width);
  }
  return out;
}

/** The smallest rectangle holding every subject pixel of a mask, or null for an empty mask. */
export function maskBoundingBox(mask: Mask): PixelRect | null {
  let x0 = mask.width;
  let y0 = mask.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (isSubject(mask.data[y * mask.width + x]!)) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** A copy of `img` whose alpha is 255 inside `mask` and 0 outside. */
export function applyMask(img: RgbaImage, mask: Mask): RgbaImage {
  if (mask.width !== img.width || mask.height !== img.height) {
    throw new RangeError(
      `mask ${mask.width}x${mask.height} does not match image ${img.width}x${img.height}`,
    );
  }
  const data = new Uint8ClampedArray(img.data);
  for (let i = 0; i < mask.data.length; i++) data[i * 4 + 3] = isSubject(mask.data[i]!) ? 255 : 0;
  return { width: img.width, height: img.height, data };
}

/**
 * Paste `src` into `target` IN PLACE at (x, y), only where `mask` is the subject; pasted pixels
 * get alpha 255. Parts falling outside the target are skipped.
 */
export function pasteWithMask(
  target: RgbaImage,
  src: RgbaImage,
  mask: Mask,
  x: number,
  y: number,
): void {
  if (mask.width !== src.width || mask.height !== src.height) {
    throw new RangeError(
      `mask ${mask.width}x${mask.height} does not match pasted image ${src.width}x${src.height}`,
    );
  }
  for (let sy = 0; sy < src.height; sy++) {
    const ty = y + sy;
    if (ty < 0 || ty >= target.height) continue;
    for (let sx = 0; sx < src.width; sx++) {
      const tx = x + sx;
      if (tx < 0 || tx >= target.width || !isSubject(mask.data[sy * src.width + sx]!)) continue;
      const si = (sy * src.width + sx) * 4;
      const ti = (ty * target.width + tx) * 4;
      target.data[ti] = src.data[si]!;
      target.data[ti + 1] = src.data[si + 1]!;
      target.data[ti + 2] = src.data[si + 2]!;
      target.data[ti + 3] = 255;
    }
  }
}
