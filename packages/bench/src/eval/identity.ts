/**
 * The two sides of an identity comparison, in the reference cutout's frame: the cutout's own
 * pixels, and the image sampled back through the localiser's placement (pose, size and
 * mirroring undone). The learned identity network (../ident/identity-net.ts) compares them.
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
