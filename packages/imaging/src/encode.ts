/** Encode the core's `RgbaImage` as PNG. */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import type { RgbaImage } from '@contextgen/core';

/** PNG bytes of an RGBA image (alpha kept). */
export async function encodePng(image: RgbaImage): Promise<Buffer> {
  if (image.data.length !== image.width * image.height * 4) {
    throw new Error(
      `encodePng: data has ${image.data.length} bytes, expected ${image.width}x${image.height}x4`,
    );
  }
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } })
    .png()
    .toBuffer();
}

/** Write an RGBA image as a PNG file, creating the folder when needed. */
export async function writePng(path: string, image: RgbaImage): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await encodePng(image));
}
