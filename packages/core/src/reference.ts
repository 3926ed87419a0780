/**
 * Reference preparation (CONTRACTS section 1, "Reference grid"): crop to the mask, choose a
 * token grid, resize, move to model space with the background zeroed, flag valid tokens.
 */
import { cropImage, cropMask, maskBoundingBox, resizeImage, resizeMask } from './image-ops.ts';
import { isSubject } from './subject-rule.ts';
import type { Mask, ReferenceCutout, RefGrid, RgbaImage, TokenGrid } from './types.ts';

/** Sizes a reference grid is chosen against (from the manifest's `tokenSize` and `limits`). */
export interface RefGridLimits {
  readonly tokenSize: number;
  /** Target pixel area of the resized reference. */
  readonly refArea: number;
  /** Largest side of the resized reference in pixels. */
  readonly refMaxSide: number;
}

/**
 * Token grid for a crop of `cropWidth x cropHeight` pixels. Among all `h, w` in
 * `1..floor(refMaxSide/P)` it minimises `ln(h/w / aspect)^2 + ln(h*w*P*P / refArea)^2`
 * (aspect = cropHeight/cropWidth): closest aspect and area together; ties go to the larger
 * area, then the larger h.
 */
export function refGrid(cropWidth: number, cropHeight: number, limits: RefGridLimits): TokenGrid {
  const P = limits.tokenSize;
  const maxSide = Math.floor(limits.refMaxSide / P);
  if (maxSide < 1)
    throw new RangeError(`refMaxSide ${limits.refMaxSide} is smaller than the token size ${P}`);
  if (!(cropWidth > 0 && cropHeight > 0))
    throw new RangeError(`reference crop must be non-empty, got ${cropWidth}x${cropHeight}`);
  const logAspect = Math.log(cropHeight / cropWidth);
  const logArea = Math.log(limits.refArea / (P * P));
  let best: TokenGrid = { h: 1, w: 1 };
  let bestScore = Infinity;
  for (let h = 1; h <= maxSide; h++) {
    for (let w = 1; w <= maxSide; w++) {
      const a = Math.log(h / w) - logAspect;
      const b = Math.log(h * w) - logArea;
      const score = a * a + b * b;
      const better =
        score < bestScore - 1e-12 ||
        (Math.abs(score - bestScore) <= 1e-12 &&
          (h * w > best.h * best.w || (h * w === best.h * best.w && h > best.h)));
      if (better) {
        best = { h, w };
        bestScore = score;
      }
    }
  }
  return best;
}

/** A reference ready for the token sequence. */
export interface PreparedReference {
  /** Grid with one valid flag per token. */
  readonly grid: RefGrid & { readonly valid: Uint8Array };
  /** Resized crop (`w*P x h*P`) and its thresholded mask, for display. */
  readonly image: RgbaImage;
  readonly mask: Mask;
  /** HWC float32 in model space, RGB multiplied by the mask (background = 0). */
  readonly pixels: Float32Array;
}

/**
 * Prepare one reference cutout. Returns null when its mask is empty (nothing to show the
 * model); the caller reports that to the user.
 */
export function prepareReference(
  ref: ReferenceCutout,
  limits: RefGridLimits,
): PreparedReference | null {
  const bbox = maskBoundingBox(ref.mask);
  if (bbox === null) return null;
  const P = limits.tokenSize;
  const grid = refGrid(bbox.width, bbox.height, limits);
  const W = grid.w * P;
  const H = grid.h * P;
  const image = resizeImage(cropImage(ref.image, bbox), W, H);
  const mask = resizeMask(cropMask(ref.mask, bbox), W, H);
  const pixels = new Float32Array(W * H * 3);
  const valid = new Uint8Array(grid.h * grid.w);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (!isSubject(mask.data[i]!)) continue;
      for (let c = 0; c < 3; c++) pixels[i * 3 + c] = image.data[i * 4 + c]! / 127.5 - 1;
      valid[Math.floor(y / P) * grid.w + Math.floor(x / P)] = 1;
    }
  }
  return { grid: { h: grid.h, w: grid.w, valid }, image, mask, pixels };
}
