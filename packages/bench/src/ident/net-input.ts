/**
 * The identity network's input: a crop in the reference cutout's frame (the reference's own
 * pixels, or an image sampled back through the localiser's placement) as a 4 x SIDE x SIDE
 * tensor, RGB in 0..1 times the cutout mask, then the mask. The crop is centred in the square
 * (cutouts are at most CUTOUT_SIDE = SIDE pixels on their longer side). The Python trainer
 * (python/contextgen_ident) reads the same layout from the exported pairs.
 */
import type { AlignedCrop } from '../eval/identity.ts';

export const NET_SIDE = 32;
export const NET_CHANNELS = 4;
export const NET_PLANE = NET_SIDE * NET_SIDE;

/** Writes the crop's tensor into `out` at `offset` (NET_CHANNELS * NET_PLANE floats). */
export function writeNetInput(crop: AlignedCrop, out: Float32Array, offset = 0): void {
  const { width: w, height: h } = crop;
  if (w > NET_SIDE || h > NET_SIDE || w < 1 || h < 1) {
    throw new Error(`identity crop must be 1..${NET_SIDE} px a side, got ${w}x${h}`);
  }
  out.fill(0, offset, offset + NET_CHANNELS * NET_PLANE);
  const ox = (NET_SIDE - w) >> 1;
  const oy = (NET_SIDE - h) >> 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!crop.mask[i]) continue;
      const p = (oy + y) * NET_SIDE + ox + x;
      for (let k = 0; k < 3; k++) {
        out[offset + k * NET_PLANE + p] = Math.min(255, Math.max(0, crop.rgb[i * 3 + k]!)) / 255;
      }
      out[offset + 3 * NET_PLANE + p] = 1;
    }
  }
}

/** The crop's tensor as bytes (RGB 0..255 times the mask, mask 0/255), for the training export. */
export function netInputBytes(crop: AlignedCrop): Uint8Array {
  const f = new Float32Array(NET_CHANNELS * NET_PLANE);
  writeNetInput(crop, f);
  return Uint8Array.from(f, (v) => Math.round(v * 255));
}
