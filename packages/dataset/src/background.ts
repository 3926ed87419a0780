/**
 * Procedural scene backgrounds: vertical sky and ground gradients, seeded value-noise texture,
 * a soft horizon line and optional sparkles. Writes into a float RGB canvas (0..255).
 */
import type { Rng } from './rng.ts';
import type { SceneType } from './scenes.ts';

/** Float RGB raster, row-major, 3 values per pixel, 0..255. */
export interface FloatCanvas {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export function createCanvas(width: number, height: number): FloatCanvas {
  return { width, height, data: new Float32Array(width * height * 3) };
}

/**
 * Seeded value noise in [-1, 1]: random values on a lattice of `cellX x cellY` pixel cells,
 * smoothstep-interpolated. Returns one value per pixel.
 */
export function valueNoise(
  width: number,
  height: number,
  cellX: number,
  cellY: number,
  rng: Rng,
  rows: readonly [number, number] = [0, height],
): Float32Array {
  const gw = Math.ceil(width / cellX) + 2;
  const gh = Math.ceil(height / cellY) + 2;
  const lattice = new Float32Array(gw * gh);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.next() * 2 - 1;
  const offX = rng.next() * cellX;
  const offY = rng.next() * cellY;
  const out = new Float32Array(width * height);
  const gx = new Int32Array(width);
  const fx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const u = (x + offX) / cellX;
    const i = Math.floor(u);
    const t = u - i;
    gx[x] = i;
    fx[x] = t * t * (3 - 2 * t);
  }
  for (let y = rows[0]; y < rows[1]; y++) {
    const v = (y + offY) / cellY;
    const j = Math.floor(v);
    let ty = v - j;
    ty = ty * ty * (3 - 2 * ty);
    const r0 = j * gw;
    const r1 = r0 + gw;
    for (let x = 0; x < width; x++) {
      const i = gx[x]!;
      const tx = fx[x]!;
      const a = lattice[r0 + i]! + (lattice[r0 + i + 1]! - lattice[r0 + i]!) * tx;
      const b = lattice[r1 + i]! + (lattice[r1 + i + 1]! - lattice[r1 + i]!) * tx;
      out[y * width + x] = a + (b - a) * ty;
    }
  }
  return out;
}

export interface BackgroundParams {
  readonly scene: SceneType;
  /** Horizon row in pixels. */
  readonly horizon: number;
  /** Per-sample colour jitter added to every gradient colour. */
  readonly jitter: readonly [number, number, number];
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** Paint the background of a scene into `canvas`. */
export function paintBackground(canvas: FloatCanvas, params: BackgroundParams, rng: Rng): void {
  const { width, height, data } = canvas;
  const { scene, horizon, jitter } = params;
  const scale = width / 128;
  const h = Math.max(0, Math.min(height, Math.ceil(horizon)));
  const skyNoise = valueNoise(width, height, 14 * scale, 7 * scale, rng, [0, h]);
  const groundNoise = valueNoise(
    width,
    height,
    scene.groundCell[0] * scale,
    scene.groundCell[1] * scale,
    rng,
    [h, height],
  );
  for (let y = 0; y < height; y++) {
    const isSky = y < horizon;
    const [top, bottom] = isSky ? scene.sky : scene.ground;
    const t = isSky ? y / Math.max(1, horizon) : (y - horizon) / Math.max(1, height - horizon);
    const amp = isSky ? scene.skyTexture : scene.groundTexture;
    // Soft darkening right at the horizon line.
    const horizonShade = 1 - 0.12 * Math.exp(-Math.abs(y - horizon) / (1.5 * scale));
    const noise = isSky ? skyNoise : groundNoise;
    const r = lerp(top[0], bottom[0], t) + jitter[0];
    const g = lerp(top[1], bottom[1], t) + jitter[1];
    const b = lerp(top[2], bottom[2], t) + jitter[2];
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const n = noise[p]! * amp * horizonShade;
      data[p * 3] = (r + n) * horizonShade;
      data[p * 3 + 1] = (g + n) * horizonShade;
      data[p * 3 + 2] = (b + n) * horizonShade;
    }
  }
  for (let k = 0; k < scene.sparkles; k++) {
    const x = Math.floor(rng.next() * width);
    const y = Math.floor(rng.next() * Math.max(1, horizon));
    const p = (y * width + x) * 3;
    const v = 170 + rng.next() * 85;
    data[p] = Math.max(data[p]!, v);
    data[p + 1] = Math.max(data[p + 1]!, v);
    data[p + 2] = Math.max(data[p + 2]!, v);
  }
}

/** Darken the canvas inside a soft ellipse (a ground shadow). */
export function paintShadow(
  canvas: FloatCanvas,
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  darkness: number,
): void {
  const { width, height, data } = canvas;
  const x0 = Math.max(0, Math.floor(cx - rx));
  const x1 = Math.min(width - 1, Math.ceil(cx + rx));
  const y0 = Math.max(0, Math.floor(cy - ry));
  const y1 = Math.min(height - 1, Math.ceil(cy + ry));
  for (let y = y0; y <= y1; y++) {
    const dy = (y + 0.5 - cy) / ry;
    for (let x = x0; x <= x1; x++) {
      const dx = (x + 0.5 - cx) / rx;
      const d = dx * dx + dy * dy;
      if (d >= 1) continue;
      const f = 1 - darkness * (1 - d) * (1 - d);
      const p = (y * width + x) * 3;
      data[p] = data[p]! * f;
      data[p + 1] = data[p + 1]! * f;
      data[p + 2] = data[p + 2]! * f;
    }
  }
}

/** Quantise a float canvas to RGB bytes (clamped; Uint8ClampedArray rounds half to even). */
export function canvasToRgb(canvas: FloatCanvas): Uint8Array {
  const src = canvas.data;
  const out = new Uint8ClampedArray(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]!;
  return new Uint8Array(out.buffer);
}
