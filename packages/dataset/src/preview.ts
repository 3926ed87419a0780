/**
 * Contact sheet of a dataset folder: one row per sample with the target, the target with
 * boxes (colour per instance, depth order in the outline thickness), the layout image, the
 * visible masks in instance colours, then every reference (alpha over a checkerboard).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { decodeRecord } from './shard.ts';
import type { DatasetMeta } from './shard.ts';
import type { DecodedRecord } from './shard.ts';

export const INSTANCE_COLOURS: readonly (readonly [number, number, number])[] = [
  [255, 64, 64],
  [64, 200, 64],
  [64, 128, 255],
  [255, 200, 0],
  [230, 64, 230],
  [0, 220, 220],
  [255, 140, 0],
  [150, 90, 255],
];

export interface Sheet {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array; // RGB
}

function blit(sheet: Sheet, rgb: Uint8Array, w: number, h: number, x0: number, y0: number): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      const d = ((y0 + y) * sheet.width + x0 + x) * 3;
      sheet.data[d] = rgb[s]!;
      sheet.data[d + 1] = rgb[s + 1]!;
      sheet.data[d + 2] = rgb[s + 2]!;
    }
  }
}

/** Outline rectangle `[x1,y1,x2)` (x2/y2 exclusive) in an RGB raster. */
export function drawBox(
  rgb: Uint8Array,
  width: number,
  height: number,
  box: readonly number[],
  colour: readonly number[],
): void {
  const [x1, y1, x2, y2] = box.map(Math.round) as [number, number, number, number];
  const put = (x: number, y: number): void => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    rgb.set(colour, (y * width + x) * 3);
  };
  for (let x = x1; x < x2; x++) {
    put(x, y1);
    put(x, y2 - 1);
  }
  for (let y = y1; y < y2; y++) {
    put(x1, y);
    put(x2 - 1, y);
  }
}

function rgbaOverChecker(rgba: Uint8Array, r: number): Uint8Array {
  const out = new Uint8Array(r * r * 3);
  for (let y = 0; y < r; y++) {
    for (let x = 0; x < r; x++) {
      const p = y * r + x;
      const bg = ((x >> 3) + (y >> 3)) % 2 === 0 ? 90 : 140;
      const a = rgba[p * 4 + 3]! / 255;
      for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(rgba[p * 4 + c]! * a + bg * (1 - a));
    }
  }
  return out;
}

/** Build the sheet for decoded records. */
export function contactSheet(
  records: readonly DecodedRecord[],
  size: number,
  refSize: number,
): Sheet {
  const gap = 4;
  const maxInst = Math.max(1, ...records.map((r) => r.header.instances.length));
  const width = 4 * (size + gap) + maxInst * (refSize + gap) + gap;
  const height = records.length * (size + gap) + gap;
  const sheet: Sheet = { width, height, data: new Uint8Array(width * height * 3).fill(255) };
  records.forEach((rec, row) => {
    const y0 = gap + row * (size + gap);
    blit(sheet, rec.target, size, size, gap, y0);
    const boxed = new Uint8Array(rec.target);
    const masks = new Uint8Array(size * size * 3).fill(20);
    rec.header.instances.forEach((inst, j) => {
      const colour = INSTANCE_COLOURS[j % INSTANCE_COLOURS.length]!;
      drawBox(boxed, size, size, inst.box, colour);
      const m = rec.masks[j]!;
      for (let p = 0; p < size * size; p++) if (m[p]! > 0) masks.set(colour, p * 3);
      drawBox(masks, size, size, inst.box, colour);
      const ref = rgbaOverChecker(rec.references[j]!, refSize);
      drawBox(ref, refSize, refSize, [0, 0, refSize, refSize], colour);
      blit(sheet, ref, refSize, refSize, gap + 4 * (size + gap) + j * (refSize + gap), y0);
    });
    blit(sheet, boxed, size, size, gap + (size + gap), y0);
    blit(sheet, rec.layout, size, size, gap + 2 * (size + gap), y0);
    blit(sheet, masks, size, size, gap + 3 * (size + gap), y0);
  });
  return sheet;
}

/** Read the first `count` records of a dataset folder (in id order). */
export function readRecords(
  dir: string,
  count: number,
): { meta: DatasetMeta; records: DecodedRecord[] } {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as DatasetMeta;
  const records: DecodedRecord[] = [];
  for (const shard of meta.shards) {
    const bytes = readFileSync(join(dir, shard.file));
    let offset = 0;
    while (offset < bytes.length && records.length < count) {
      const rec = decodeRecord(bytes, offset, meta.size, meta.refSize);
      records.push(rec);
      offset += rec.length;
    }
    if (records.length >= count) break;
  }
  return { meta, records };
}

/** Write a contact sheet PNG of the first `count` samples of a dataset folder. */
export function writePreview(
  dir: string,
  outFile: string,
  count = 6,
): { samples: number; width: number; height: number } {
  const { meta, records } = readRecords(dir, count);
  const sheet = contactSheet(records, meta.size, meta.refSize);
  writeFileSync(
    outFile,
    encodePng({
      width: sheet.width,
      height: sheet.height,
      data: sheet.data,
      channels: 3,
      depth: 8,
    }),
  );
  return { samples: records.length, width: sheet.width, height: sheet.height };
}
