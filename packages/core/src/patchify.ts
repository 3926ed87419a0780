/**
 * Pixels <-> tokens (CONTRACTS section 4): token `(ty,tx)` holds pixels `(ty*P+py, tx*P+px)`
 * flattened as `(py*P + px)*3 + c`; tokens row-major.
 */
import type { RgbaImage } from './types.ts';

function checkCanvas(width: number, height: number, P: number): void {
  if (width % P !== 0 || height % P !== 0)
    throw new RangeError(`${width}x${height} is not a multiple of the token size ${P}`);
}

/** HWC float32 (`H*W*3`) -> patches (`(H/P)*(W/P)` rows of `P*P*3`). */
export function patchify(
  hwc: Float32Array,
  width: number,
  height: number,
  P: number,
): Float32Array {
  checkCanvas(width, height, P);
  if (hwc.length !== width * height * 3)
    throw new RangeError(`expected ${width * height * 3} values, got ${hwc.length}`);
  const out = new Float32Array(hwc.length);
  const tw = width / P;
  const rowLen = P * P * 3;
  for (let y = 0; y < height; y++) {
    const ty = Math.floor(y / P);
    const py = y % P;
    for (let x = 0; x < width; x++) {
      const base = (ty * tw + Math.floor(x / P)) * rowLen + (py * P + (x % P)) * 3;
      const src = (y * width + x) * 3;
      out[base] = hwc[src]!;
      out[base + 1] = hwc[src + 1]!;
      out[base + 2] = hwc[src + 2]!;
    }
  }
  return out;
}

/** Patches -> HWC float32; inverse of `patchify`. */
export function unpatchify(
  patches: Float32Array,
  width: number,
  height: number,
  P: number,
): Float32Array {
  checkCanvas(width, height, P);
  if (patches.length !== width * height * 3)
    throw new RangeError(`expected ${width * height * 3} values, got ${patches.length}`);
  const out = new Float32Array(patches.length);
  const tw = width / P;
  const rowLen = P * P * 3;
  for (let y = 0; y < height; y++) {
    const ty = Math.floor(y / P);
    const py = y % P;
    for (let x = 0; x < width; x++) {
      const base = (ty * tw + Math.floor(x / P)) * rowLen + (py * P + (x % P)) * 3;
      const dst = (y * width + x) * 3;
      out[dst] = patches[base]!;
      out[dst + 1] = patches[base + 1]!;
      out[dst + 2] = patches[base + 2]!;
    }
  }
  return out;
}

/** Model space HWC (`v/127.5 - 1`) -> opaque RGBA, rounded and clamped to 0..255. */
export function modelSpaceToImage(hwc: Float32Array, width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = Math.round((hwc[i * 3 + c]! + 1) * 127.5);
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}
