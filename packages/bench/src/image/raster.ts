/**
 * Plain rasters the evaluators work on. Pixels are 8-bit, row-major; `channels` is 3 (RGB)
 * or 4 (RGBA, alpha = cutout mask). No image library: the evaluators must stay cheap and
 * deterministic on any CPU.
 */

export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** A raster in float, used for resampled crops: `NaN`-free, values 0..255. */
export interface FloatRaster {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Float32Array;
}

export function makeRaster(width: number, height: number, channels: 1 | 3 | 4, fill = 0): Raster {
  const data = new Uint8Array(width * height * channels);
  if (fill !== 0) data.fill(fill);
  return { width, height, channels, data };
}

/** Checks the data length against the declared size; throws with the numbers when they disagree. */
export function assertRaster(r: Raster, what: string): void {
  const want = r.width * r.height * r.channels;
  if (r.data.length !== want) {
    throw new Error(
      `${what}: data has ${r.data.length} bytes but ${r.width}x${r.height}x${r.channels} needs ${want}`,
    );
  }
}

/** Copies a rectangle (clipped to the raster) into a new raster of the same channel count. */
export function cropRaster(r: Raster, x0: number, y0: number, w: number, h: number): Raster {
  const out = makeRaster(w, h, r.channels);
  const c = r.channels;
  for (let y = 0; y < h; y++) {
    const sy = y0 + y;
    if (sy < 0 || sy >= r.height) continue;
    for (let x = 0; x < w; x++) {
      const sx = x0 + x;
      if (sx < 0 || sx >= r.width) continue;
      const si = (sy * r.width + sx) * c;
      const di = (y * w + x) * c;
      for (let k = 0; k < c; k++) out.data[di + k] = r.data[si + k]!;
    }
  }
  return out;
}

/** Bilinear sample of channel `k` at real coordinates (pixel centres at integer + 0.5). */
export function sampleBilinear(r: Raster, x: number, y: number, k: number): number {
  const fx = x - 0.5;
  const fy = y - 0.5;
  let x0 = Math.floor(fx);
  let y0 = Math.floor(fy);
  const ax = fx - x0;
  const ay = fy - y0;
  let x1 = x0 + 1;
  let y1 = y0 + 1;
  const W = r.width - 1;
  const H = r.height - 1;
  x0 = x0 < 0 ? 0 : x0 > W ? W : x0;
  x1 = x1 < 0 ? 0 : x1 > W ? W : x1;
  y0 = y0 < 0 ? 0 : y0 > H ? H : y0;
  y1 = y1 < 0 ? 0 : y1 > H ? H : y1;
  const c = r.channels;
  const d = r.data;
  const v00 = d[(y0 * r.width + x0) * c + k]!;
  const v01 = d[(y0 * r.width + x1) * c + k]!;
  const v10 = d[(y1 * r.width + x0) * c + k]!;
  const v11 = d[(y1 * r.width + x1) * c + k]!;
  return (v00 * (1 - ax) + v01 * ax) * (1 - ay) + (v10 * (1 - ax) + v11 * ax) * ay;
}

/** Resizes with area averaging when shrinking and bilinear when growing. */
export function resizeRaster(r: Raster, w: number, h: number): Raster {
  const out = makeRaster(w, h, r.channels);
  const c = r.channels;
  const sx = r.width / w;
  const sy = r.height / h;
  if (sx <= 1 && sy <= 1) {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++)
          out.data[(y * w + x) * c + k] = Math.round(
            sampleBilinear(r, (x + 0.5) * sx, (y + 0.5) * sy, k),
          );
    return out;
  }
  // Box filter over the source footprint (supersampled 4x4 for fractional footprints).
  const n = 4;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        let acc = 0;
        for (let j = 0; j < n; j++)
          for (let i = 0; i < n; i++)
            acc += sampleBilinear(r, (x + (i + 0.5) / n) * sx, (y + (j + 0.5) / n) * sy, k);
        out.data[(y * w + x) * c + k] = Math.round(acc / (n * n));
      }
    }
  }
  return out;
}

/** Drops alpha: RGBA -> RGB; RGB passes through. */
export function toRgb(r: Raster): Raster {
  if (r.channels === 3) return r;
  const out = makeRaster(r.width, r.height, 3);
  for (let i = 0, n = r.width * r.height; i < n; i++) {
    for (let k = 0; k < 3; k++)
      out.data[i * 3 + k] = r.data[i * r.channels + (r.channels === 1 ? 0 : k)]!;
  }
  return out;
}

/** Separable box blur (two passes, so close to a tent filter) of every channel; edges repeat. */
export function blurRaster(r: Raster, radius: number): Raster {
  const rad = Math.max(0, Math.round(radius));
  if (rad === 0) return r;
  const { width: W, height: H, channels: c } = r;
  let src = Float32Array.from(r.data);
  for (let pass = 0; pass < 2; pass++) {
    for (const horizontal of [true, false]) {
      const dst = new Float32Array(src.length);
      const n = horizontal ? W : H;
      const lines = horizontal ? H : W;
      for (let line = 0; line < lines; line++) {
        for (let k = 0; k < c; k++) {
          const at = (i: number) => {
            const j = i < 0 ? 0 : i >= n ? n - 1 : i;
            return horizontal ? (line * W + j) * c + k : (j * W + line) * c + k;
          };
          let acc = 0;
          for (let i = -rad; i <= rad; i++) acc += src[at(i)]!;
          for (let i = 0; i < n; i++) {
            dst[at(i)] = acc / (2 * rad + 1);
            acc += src[at(i + rad + 1)]! - src[at(i - rad)]!;
          }
        }
      }
      src = dst;
    }
  }
  const out = makeRaster(W, H, c);
  for (let i = 0; i < src.length; i++) out.data[i] = Math.round(src[i]!);
  return out;
}
