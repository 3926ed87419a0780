/** PNG files for bench rasters (fast-png, pure JS), plus data-URLs for the HTML report. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { decode, encode } from 'fast-png';
import type { Raster } from './raster.ts';

export function encodePng(r: Raster): Uint8Array {
  return encode({
    width: r.width,
    height: r.height,
    data: r.data instanceof Uint8Array ? r.data : new Uint8Array(r.data),
    channels: r.channels,
    depth: 8,
  });
}

export function writePng(path: string, r: Raster): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodePng(r));
  renameSync(tmp, path);
}

/** Reads an 8-bit PNG as RGB or RGBA. */
export function readPng(path: string): Raster {
  const png = decode(readFileSync(path));
  if (png.depth !== 8 || png.palette) {
    throw new Error(
      `${path}: expected an 8-bit RGB or RGBA PNG (got depth ${png.depth}${png.palette ? ', palette' : ''}); re-save it as RGB`,
    );
  }
  const channels = png.channels;
  if (channels !== 3 && channels !== 4)
    throw new Error(`${path}: expected 3 or 4 channels, got ${channels}`);
  return {
    width: png.width,
    height: png.height,
    channels,
    data: new Uint8Array(png.data as Uint8Array),
  };
}

export function pngDataUrl(r: Raster): string {
  return `data:image/png;base64,${Buffer.from(encodePng(r)).toString('base64')}`;
}
