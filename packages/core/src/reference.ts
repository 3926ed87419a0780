/**
 * Reference preparation: choose the region and the token grid by the model's sizing rule,
 * resize, move to model space with the background zeroed, flag valid tokens.
 * Two rules, picked by the model's manifest (`ReferenceSizing.rule`), never by `if`s elsewhere:
 * - `grid` (CONTRACTS section 1, the embedded model): crop to the mask's bounding box, then the
 *   token grid closest in aspect and area to `refArea`.
 * - `shorter-side-buckets` (the published FLUX.1-Kontext model): the whole image, no crop,
 *   scaled to an area of about base^2 where base comes from the output's shorter side, each
 *   side rounded up to a multiple of `multiple` pixels (official `uniform_resize_16x`).
 */
import { cropImage, cropMask, maskBoundingBox, resizeImage, resizeMask } from './image-ops.ts';
import type { PixelRect, ResampleMethod } from './image-ops.ts';
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

/** The published model's rule: `base` for outputs whose shorter side is <= `maxShorterSide`. */
export interface SizeBucket {
  readonly maxShorterSide: number;
  readonly base: number;
}

/** How a model sizes its references (from its manifest). */
export type ReferenceSizing =
  | (RefGridLimits & { readonly rule?: 'grid' })
  | {
      readonly rule: 'shorter-side-buckets';
      readonly tokenSize: number;
      /** Ascending by `maxShorterSide`; outputs above the last one use `largestBase`. */
      readonly buckets: readonly SizeBucket[];
      readonly largestBase: number;
      /** Sides are rounded up to a multiple of this (and at least this). */
      readonly multiple: number;
    };

/** The base side of the published rule for an output of `width x height`. */
export function bucketBase(
  width: number,
  height: number,
  sizing: Extract<ReferenceSizing, { rule: 'shorter-side-buckets' }>,
): number {
  const shorter = Math.min(width, height);
  return sizing.buckets.find((b) => shorter <= b.maxShorterSide)?.base ?? sizing.largestBase;
}

/**
 * Size for an image of `w x h` at area about `base^2`, sides rounded up to `multiple` (the
 * official `uniform_resize_16x`: `k = sqrt(base^2 / (w h))`, `max(m, ceil16(int(side * k)))`).
 */
export function bucketSize(w: number, h: number, base: number, multiple: number): TokenGrid {
  const k = Math.sqrt((base * base) / (w * h));
  const up = (v: number): number =>
    Math.max(multiple, Math.ceil(Math.floor(v * k) / multiple) * multiple);
  return { w: up(w), h: up(h) };
}

/** Where a rule reads a reference from, the token grid it resizes it to, and how it resamples. */
type RegionAndSize = (
  ref: ReferenceCutout,
  bbox: PixelRect,
  canvas: { width: number; height: number },
) => { region: PixelRect; grid: TokenGrid; method: ResampleMethod };

const SIZING_RULES: Record<'grid' | 'shorter-side-buckets', (s: ReferenceSizing) => RegionAndSize> =
  {
    grid: (s) => (_ref, bbox) => ({
      region: bbox,
      grid: refGrid(bbox.width, bbox.height, s as RefGridLimits),
      method: 'bilinear', // CONTRACTS 1 (the trainer resizes the same way)
    }),
    'shorter-side-buckets': (s) => (ref, _bbox, canvas) => {
      const b = s as Extract<ReferenceSizing, { rule: 'shorter-side-buckets' }>;
      const px = bucketSize(
        ref.image.width,
        ref.image.height,
        bucketBase(canvas.width, canvas.height, b),
        b.multiple,
      );
      const P = b.tokenSize;
      // Downscaling averages (like the official PIL resize, which is antialiased); upscaling is bilinear.
      const shrinks = px.w * px.h < ref.image.width * ref.image.height;
      return {
        region: { x: 0, y: 0, width: ref.image.width, height: ref.image.height },
        grid: { w: Math.ceil(px.w / P), h: Math.ceil(px.h / P) },
        method: shrinks ? 'area' : 'bilinear',
      };
    },
  };

/**
 * Prepare one reference cutout. Returns null when its mask is empty (nothing to show the
 * model); the caller reports that to the user.
 * @param canvas the output size (the bucket rule depends on it; the grid rule ignores it)
 */
export function prepareReference(
  ref: ReferenceCutout,
  sizing: ReferenceSizing,
  canvas: { width: number; height: number } = { width: 0, height: 0 },
): PreparedReference | null {
  const bbox = maskBoundingBox(ref.mask);
  if (bbox === null) return null;
  const P = sizing.tokenSize;
  const { region, grid, method } = SIZING_RULES[sizing.rule ?? 'grid'](sizing)(ref, bbox, canvas);
  const W = grid.w * P;
  const H = grid.h * P;
  const whole =
    region.x === 0 &&
    region.y === 0 &&
    region.width === ref.image.width &&
    region.height === ref.image.height;
  const image = resizeImage(whole ? ref.image : cropImage(ref.image, region), W, H, method);
  const mask = resizeMask(whole ? ref.mask : cropMask(ref.mask, region), W, H, method);
  const pixels = new Float32Array(W * H * 3);
  const valid = new Uint8Array(grid.h * grid.w);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (mask.data[i] === 0) continue;
      for (let c = 0; c < 3; c++) pixels[i * 3 + c] = image.data[i * 4 + c]! / 127.5 - 1;
      valid[Math.floor(y / P) * grid.w + Math.floor(x / P)] = 1;
    }
  }
  return { grid: { h: grid.h, w: grid.w, valid }, image, mask, pixels };
}
