/**
 * Pixels <-> tokens (CONTRACTS section 4): token `(ty,tx)` holds pixels `(ty*P+py, tx*P+px)`
 * flattened as `(py*P + px)*3 + c`; tokens row-major.
 */
import type { RgbaImage } from './types.ts';

/**
 * For each pixel (row-major HWC order) the offset of its first channel in the patch layout.
 * `patchify` and `unpatchify` are the two directions of this one permutation.
 */
function patchOffsets(values: number, width: number, height: number, P: number): Int32Array {
  if (width % P !== 0 || height % P !== 0)
    throw new RangeError(`${width}x${height} is not a multiple of the token size ${P}`);
  if (values !== width * height * 3)
    throw new RangeError(`expected ${width * height * 3} values, got ${values}`);
  const offsets = new Int32Array(width * height);
  const tw = width / P;
  const rowLen = P * P * 3;
  for (let y = 0; y < height; y++) {
    const ty = Math.floor(y / P);
    const py = y % P;
    for (let x = 0; x < width; x++) {
      offsets[y * width + x] = (ty * tw + Math.floor(x / P)) * rowLen + (py * P + (x % P)) * 3;
    }
  }
  return offsets;
}

/** HWC float32 (`H*W*3`) -> patches (`(H/P)*(W/P)` rows of `P*P*3`). */
export function patchify(
  hwc: Float32Array,
  width: number,
  height: number,
  P: number,
): Float32Array {
  const offsets = patchOffsets(hwc.length, width, height, P);
  const out = new Float32Array(hwc.length);
  for (let i = 0; i < offsets.length; i++) {
    const base = offsets[i]!;
    out[base] = hwc[i * 3]!;
    out[base + 1] = hwc[i * 3 + 1]!;
    out[base + 2] = hwc[i * 3 + 2]!;
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
  const offsets = patchOffsets(patches.length, width, height, P);
  const out = new Float32Array(patches.length);
  for (let i = 0; i < offsets.length; i++) {
    const base = offsets[i]!;
    out[i * 3] = patches[base]!;
    out[i * 3 + 1] = patches[base + 1]!;
    out[i * 3 + 2] = patches[base + 2]!;
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
