/**
 * Decode PNG / JPEG / WebP files or bytes into the core's `RgbaImage` (8-bit sRGB + alpha),
 * with a pixel limit (decompression bombs) and a file-size limit.
 */
import { readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import type { RgbaImage } from '@contextgen/core';
import { ImageInputError } from './errors.ts';
import {
  DEFAULT_IMAGE_LIMITS,
  SUPPORTED_INPUT_FORMATS,
  formatMegabytes,
  formatMegapixels,
  type ImageLimits,
  type InputFormat,
} from './limits.ts';

export interface DecodedImage {
  readonly image: RgbaImage;
  /** True when the source had an alpha channel (then alpha is the subject mask). */
  readonly hasAlpha: boolean;
  readonly format: InputFormat;
}

const FIX_FORMAT = `convert it to PNG, JPEG or WebP (e.g. \`npx sharp-cli -i in -o out.png\` or any image editor)`;

function isSupported(format: string | undefined): format is InputFormat {
  return (SUPPORTED_INPUT_FORMATS as readonly string[]).includes(format ?? '');
}

/**
 * Decode an encoded image held in memory.
 * @param bytes the encoded file contents
 * @param source the file name or label, used in error messages
 * @throws ImageInputError for an unsupported format, an unreadable image or one over the limits
 */
export async function decodeImageBuffer(
  bytes: Uint8Array,
  source: string,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): Promise<DecodedImage> {
  if (bytes.byteLength > limits.maxBytes) {
    throw new ImageInputError(
      source,
      `the file is ${formatMegabytes(bytes.byteLength)}, over the ${formatMegabytes(limits.maxBytes)} limit; use a smaller image`,
    );
  }
  if (bytes.byteLength === 0) {
    throw new ImageInputError(source, `the file is empty; give a PNG, JPEG or WebP image`);
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch {
    throw new ImageInputError(
      source,
      `not a readable image (corrupt or not an image file); give a PNG, JPEG or WebP image`,
    );
  }
  if (!isSupported(meta.format)) {
    throw new ImageInputError(
      source,
      `unsupported image format "${meta.format ?? 'unknown'}"; ${FIX_FORMAT}`,
    );
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels > limits.maxPixels) {
    throw new ImageInputError(
      source,
      `the image is ${meta.width}x${meta.height} (${formatMegapixels(pixels)}), over the ${formatMegapixels(limits.maxPixels)} limit; downscale it first`,
    );
  }
  try {
    const { data, info } = await sharp(bytes, {
      limitInputPixels: limits.maxPixels,
      failOn: 'error',
    })
      .autoOrient()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`expected 4 channels, got ${info.channels}`);
    const image: RgbaImage = {
      width: info.width,
      height: info.height,
      data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    };
    return { image, hasAlpha: meta.hasAlpha === true, format: meta.format };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ImageInputError(
      source,
      `the ${meta.format} image could not be decoded (${detail}); re-save it as PNG`,
    );
  }
}

/**
 * Read and decode an image file.
 * @throws ImageInputError when the file is missing, unreadable, too large or not a supported image
 */
export async function decodeImageFile(
  path: string,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): Promise<DecodedImage> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile())
      throw new ImageInputError(path, 'is not a file; give the path of a PNG, JPEG or WebP image');
    size = st.size;
  } catch (err) {
    if (err instanceof ImageInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImageInputError(
      path,
      code === 'ENOENT'
        ? 'file not found; check the path (paths in a request are relative to the request file)'
        : `cannot read the file (${code ?? String(err)}); check that it exists and is readable`,
    );
  }
  if (size > limits.maxBytes) {
    throw new ImageInputError(
      path,
      `the file is ${formatMegabytes(size)}, over the ${formatMegabytes(limits.maxBytes)} limit; use a smaller image`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImageInputError(
      path,
      `cannot read the file (${code ?? String(err)}); check its permissions`,
    );
  }
  return decodeImageBuffer(bytes, path, limits);
}
