/**
 * Turn a reference image file into a `ReferenceCutout` (image + subject mask):
 * - an explicit mask file wins;
 * - else a real alpha channel (some pixel not fully opaque) is the mask;
 * - else the matting model when one is given, otherwise the automatic cutout (cutout.ts).
 * Every mask is then binarized by core's one subject rule (`isSubject`: value >= 128 of 255,
 * as the official code's 0.5 threshold). An empty mask is an error: the model would get no
 * subject to copy.
 */
import { alphaToMask, binarizeMask } from '@contextgen/core';
import type { Mask, ReferenceCutout, RgbaImage } from '@contextgen/core';
import { autoCutout, type CutoutOptions } from './cutout.ts';
import { heuristicFix } from './cutout-choice.ts';
import { checkCutoutMask } from './mask-checks.ts';
import { decodeImageFile } from './decode.ts';
import { ImageInputError } from './errors.ts';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './limits.ts';
import type { MattingModel } from './matting.ts';

export type MaskSource = 'mask-file' | 'alpha' | 'matting' | 'auto-cutout';

export interface LoadedReference {
  readonly cutout: ReferenceCutout;
  readonly maskSource: MaskSource;
  /** Doubts about an automatic-cutout mask (a hole, three borders touched, odd area); else []. */
  readonly warnings: readonly string[];
}

export interface ReferenceOptions {
  readonly maskPath?: string;
  readonly matting?: MattingModel;
  readonly cutout?: CutoutOptions;
  readonly limits?: ImageLimits;
}

/**
 * The alpha channel as a binary mask (core's `alphaToMask`: alpha >= 128 is the subject), or
 * undefined when every pixel is fully opaque (no cutout in the image).
 */
export function alphaMask(image: RgbaImage): Mask | undefined {
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) if (image.data[i * 4 + 3]! < 255) return alphaToMask(image);
  return undefined;
}

/** A mask image (grey or colour, non-zero = subject) as a mask: max of RGB times alpha. */
export function maskFromImage(image: RgbaImage): Mask {
  const n = image.width * image.height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const d = image.data;
    const v = Math.max(d[i * 4]!, d[i * 4 + 1]!, d[i * 4 + 2]!);
    data[i] = Math.round((v * d[i * 4 + 3]!) / 255);
  }
  return { width: image.width, height: image.height, data };
}

export function maskArea(mask: Mask): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]! > 0) n++;
  return n;
}

const EMPTY_FIX: Record<MaskSource, string> = {
  'mask-file':
    'the mask file is darker than mid-grey (128) everywhere; paint the subject white in it',
  alpha:
    'its alpha channel is below half opacity (128) everywhere; give an image where the subject is opaque',
  matting: 'the matting model found no subject; check the image or use a reference with alpha',
  'auto-cutout':
    'the automatic cutout found no subject (the image looks like plain background); use a reference with the subject on a plain background, or one with an alpha channel or a mask file',
};

export interface ReferenceParts {
  /** Where the image came from, named in errors. */
  readonly source: string;
  readonly image: RgbaImage;
  /** An explicit mask image and where it came from. */
  readonly mask?: { readonly source: string; readonly image: RgbaImage };
}

/**
 * Build a reference cutout from decoded images (no file access except the matting model).
 * @throws ImageInputError naming the source for a size mismatch or an empty mask
 */
export async function makeReference(
  parts: ReferenceParts,
  options: Pick<ReferenceOptions, 'matting' | 'cutout'> = {},
): Promise<LoadedReference> {
  const { image, source } = parts;
  let mask: Mask;
  let maskSource: MaskSource;
  let warnings: string[] = [];
  if (parts.mask !== undefined) {
    const m = parts.mask.image;
    if (m.width !== image.width || m.height !== image.height) {
      throw new ImageInputError(
        parts.mask.source,
        `the mask is ${m.width}x${m.height} but its reference ${source} is ${image.width}x${image.height}; give a mask of the same size`,
      );
    }
    mask = maskFromImage(m);
    maskSource = 'mask-file';
  } else {
    const alpha = alphaMask(image);
    if (alpha !== undefined) {
      mask = alpha;
      maskSource = 'alpha';
    } else if (options.matting !== undefined) {
      mask = await options.matting.matte(image);
      maskSource = 'matting';
    } else {
      mask = autoCutout(image, options.cutout).mask;
      maskSource = 'auto-cutout';
      warnings = checkCutoutMask(mask, { fix: heuristicFix() }).map((c) => c.message);
    }
  }
  mask = binarizeMask(mask);
  if (maskArea(mask) === 0) {
    throw new ImageInputError(
      parts.mask?.source ?? source,
      `the reference's subject mask is empty: ${EMPTY_FIX[maskSource]}`,
    );
  }
  return { cutout: { image, mask }, maskSource, warnings };
}

/**
 * Load a reference file and its mask.
 * @throws ImageInputError naming the file for missing/unsupported images, size mismatches or an empty mask
 */
export async function loadReference(
  path: string,
  options: ReferenceOptions = {},
): Promise<LoadedReference> {
  const limits = options.limits ?? DEFAULT_IMAGE_LIMITS;
  const { image } = await decodeImageFile(path, limits);
  const mask =
    options.maskPath === undefined
      ? undefined
      : {
          source: options.maskPath,
          image: (await decodeImageFile(options.maskPath, limits)).image,
        };
  return makeReference({ source: path, image, ...(mask ? { mask } : {}) }, options);
}
