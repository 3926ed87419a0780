/**
 * Turning an uploaded file into a stored reference: content checks, pixel limit, downscale,
 * and the cutout mask (the image's own alpha, the automatic cutout, or the whole image).
 */
import sharp from 'sharp';
import {
  alphaToMask,
  maskBoundingBox,
  resizeImage,
  type Mask,
  type RgbaImage,
} from '@contextgen/core';
import {
  alphaMask,
  autoCutout,
  checkCutoutMask,
  decodeImageBuffer,
  encodePng,
  heuristicFix,
  ImageInputError,
  maskArea,
  type CutoutChoice,
} from '@contextgen/imaging';
import type { CutoutMethod, Cutouts } from './cutouts.ts';
import { HttpError } from './http/errors.ts';
import type { ServerLimits } from './options.ts';
import type { MaskSource, UploadMeta } from './storage.ts';

export const ACCEPTED_TYPES: Record<string, UploadMeta['format']> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
};

export type CutoutMode = 'auto' | 'alpha' | 'none';

export interface CutoutRequest {
  readonly mode: CutoutMode;
  /** ΔE threshold for the heuristic cutout (higher keeps less); automatic when absent. */
  readonly threshold?: number;
  /** The automatic cutout's method (mode auto): default the server's `--cutout`. */
  readonly method?: CutoutChoice;
}

export interface ProcessedImage extends Pick<
  UploadMeta,
  | 'format'
  | 'width'
  | 'height'
  | 'cutoutWidth'
  | 'cutoutHeight'
  | 'maskSource'
  | 'maskCoverage'
  | 'cutoutMethod'
  | 'maskBox'
> {
  readonly cutoutPng: Buffer;
  readonly maskPng: Buffer;
  readonly warnings: string[];
}

const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/** Checks the declared type, the real format and the size before any pixel is decoded. */
export async function checkUpload(
  bytes: Uint8Array,
  name: string,
  mimetype: string,
  limits: ServerLimits,
): Promise<UploadMeta['format']> {
  const declared = ACCEPTED_TYPES[mimetype.toLowerCase()];
  if (!declared) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `"${name}" was sent as ${mimetype}; upload a PNG, JPEG or WebP image (image/png, image/jpeg, image/webp)`,
      'file',
    );
  }
  if (bytes.byteLength > limits.maxUploadBytes) {
    throw new HttpError(
      413,
      'upload_too_large',
      `"${name}" is ${mb(bytes.byteLength)}, over the ${mb(limits.maxUploadBytes)} upload limit; downscale or compress it`,
      'file',
    );
  }
  if (bytes.byteLength === 0)
    throw new HttpError(
      400,
      'empty_upload',
      `"${name}" is empty; upload a PNG, JPEG or WebP image`,
      'file',
    );
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes).metadata();
  } catch {
    throw new HttpError(
      415,
      'not_an_image',
      `"${name}" is not a readable image although it was sent as ${mimetype}; upload a real PNG, JPEG or WebP file`,
      'file',
    );
  }
  if (meta.format !== declared) {
    throw new HttpError(
      415,
      'content_mismatch',
      `"${name}" was sent as ${mimetype} but its bytes are ${meta.format ?? 'not an image'}; upload a PNG, JPEG or WebP image with the matching type`,
      'file',
    );
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels > limits.maxUploadPixels) {
    throw new HttpError(
      413,
      'too_many_pixels',
      `"${name}" is ${meta.width}x${meta.height} (${(pixels / 1e6).toFixed(1)} megapixels), over the ${(limits.maxUploadPixels / 1e6).toFixed(1)} megapixel limit; downscale it first`,
      'file',
    );
  }
  return declared;
}

function downscale(image: RgbaImage, maxSide: number): RgbaImage {
  const side = Math.max(image.width, image.height);
  if (side <= maxSide) return image;
  const s = maxSide / side;
  return resizeImage(
    image,
    Math.max(1, Math.round(image.width * s)),
    Math.max(1, Math.round(image.height * s)),
    'area',
  );
}

function fullMask(image: RgbaImage): Mask {
  return {
    width: image.width,
    height: image.height,
    data: new Uint8Array(image.width * image.height).fill(255),
  };
}

/**
 * The mask for a mode; falls back to the whole image (with a warning) when nothing is found.
 * Mode auto uses the requested (else the server's) method; a heuristic mask that looks wrong
 * (a hole inside the subject, three borders touched, an odd area) adds a warning per doubt.
 */
export async function chooseMask(
  image: RgbaImage,
  req: CutoutRequest,
  warnings: string[],
  cutouts?: Cutouts,
): Promise<{ mask: Mask; source: MaskSource; method?: CutoutMethod }> {
  if (req.mode === 'none') return { mask: fullMask(image), source: 'none' };
  if (req.mode === 'alpha') {
    const alpha = alphaMask(image);
    if (alpha) return { mask: alpha, source: 'alpha' };
    throw new HttpError(
      422,
      'no_alpha',
      'this image has no transparency to use as a mask; choose the automatic cutout or the whole image',
      'mode',
    );
  }
  const { method, model } = cutouts
    ? await cutouts.pick(req.method)
    : { method: 'heuristic' as const };
  if (model) {
    const matte = await model.matte(image);
    if (maskArea(matte) > 0) return { mask: matte, source: 'auto', method };
    warnings.push(
      `the ${method} cutout found no subject; the whole image is used, try another cutout method`,
    );
    return { mask: fullMask(image), source: 'none' };
  }
  const auto = autoCutout(
    image,
    req.threshold !== undefined ? { threshold: req.threshold } : {},
  ).mask;
  if (maskArea(auto) === 0) {
    warnings.push(
      'the automatic cutout found no subject (the image looks like plain background); the whole image is used, try a lower threshold',
    );
    return { mask: fullMask(image), source: 'none' };
  }
  for (const c of checkCutoutMask(auto, { fix: heuristicFix() })) warnings.push(c.message);
  return { mask: auto, source: 'auto', method: 'heuristic' };
}

function maskToImage(mask: Mask): RgbaImage {
  const data = new Uint8ClampedArray(mask.width * mask.height * 4);
  for (let i = 0; i < mask.data.length; i++) {
    const v = mask.data[i]!;
    data[i * 4] = data[i * 4 + 1] = data[i * 4 + 2] = v;
    data[i * 4 + 3] = 255;
  }
  return { width: mask.width, height: mask.height, data };
}

function withAlpha(image: RgbaImage, mask: Mask): RgbaImage {
  const data = new Uint8ClampedArray(image.data);
  for (let i = 0; i < mask.data.length; i++) data[i * 4 + 3] = mask.data[i]!;
  return { width: image.width, height: image.height, data };
}

/**
 * Decode an accepted upload and make its cutout. An image with real transparency uses its
 * alpha as the mask unless another mode is asked for; otherwise the automatic cutout.
 */
export async function processImage(
  bytes: Uint8Array,
  name: string,
  format: UploadMeta['format'],
  limits: ServerLimits,
  cutout?: CutoutRequest,
  cutouts?: Cutouts,
): Promise<ProcessedImage> {
  let decoded;
  try {
    decoded = await decodeImageBuffer(bytes, name, {
      maxPixels: limits.maxUploadPixels,
      maxBytes: limits.maxUploadBytes,
    });
  } catch (err) {
    if (err instanceof ImageInputError) throw new HttpError(422, 'bad_image', err.message, 'file');
    throw err;
  }
  const image = downscale(decoded.image, limits.cutoutMaxSide);
  const warnings: string[] = [];
  const mode: CutoutMode = cutout?.mode ?? (alphaMask(image) ? 'alpha' : 'auto');
  const { mask, source, method } = await chooseMask(image, { ...cutout, mode }, warnings, cutouts);
  let inside = 0;
  for (const v of mask.data) if (v > 0) inside++;
  const box = maskBoundingBox(mask);
  return {
    format,
    width: decoded.image.width,
    height: decoded.image.height,
    cutoutWidth: image.width,
    cutoutHeight: image.height,
    maskSource: source,
    ...(method ? { cutoutMethod: method } : {}),
    maskCoverage: inside / mask.data.length,
    ...(box ? { maskBox: { width: box.width, height: box.height } } : {}),
    cutoutPng: await encodePng(withAlpha(image, mask)),
    maskPng: await encodePng(maskToImage(mask)),
    warnings,
  };
}

/** Decodes a stored cutout PNG back into the core's reference form (alpha = mask). */
export async function cutoutFromPng(
  png: Uint8Array,
  label: string,
): Promise<{ image: RgbaImage; mask: Mask }> {
  const { image } = await decodeImageBuffer(png, label);
  return { image, mask: alphaToMask(image) };
}
