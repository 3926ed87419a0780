/**
 * Turn record `index` of an IMIG-Synth dataset folder (spec/CONTRACTS.md section 5) into an
 * ordinary ContextGen request folder, so the TypeScript pipeline can be fed exactly what the
 * Python trainer saw:
 *
 *   request.json  width/height = the sample size, prompt = the caption, one instance per
 *                 header instance (box, phrase, reference = refN.png, z), seed = index
 *   refN.png      the stored reference as RGBA (alpha = its mask)
 *   target.png    the target image
 *   layout.png    the stored layout image (empty pixels 128 grey)
 *
 *   npx tsx scripts/parity/export-sample.ts DATA_DIR INDEX OUT_DIR
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RgbaImage } from '@contextgen/core';
import { decodeShard, type DatasetMeta, type DecodedRecord } from '@contextgen/dataset';
import { writePng } from '@contextgen/imaging';

/** RGB bytes as an opaque RGBA image. */
export function rgbToRgba(rgb: Uint8Array, width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    data[p * 4] = rgb[p * 3]!;
    data[p * 4 + 1] = rgb[p * 3 + 1]!;
    data[p * 4 + 2] = rgb[p * 3 + 2]!;
    data[p * 4 + 3] = 255;
  }
  return { width, height, data };
}

/** Record `index` (0-based, across shards) of a dataset folder, with the folder's meta. */
export async function readRecord(
  dataDir: string,
  index: number,
): Promise<{ meta: DatasetMeta; record: DecodedRecord }> {
  const meta = JSON.parse(await readFile(join(dataDir, 'meta.json'), 'utf8')) as DatasetMeta;
  if (!Number.isInteger(index) || index < 0 || index >= meta.count) {
    throw new Error(`INDEX must be a record number in 0..${meta.count - 1}, got ${index}`);
  }
  let first = 0;
  for (const shard of meta.shards) {
    if (index < first + shard.count) {
      const bytes = new Uint8Array(await readFile(join(dataDir, shard.file)));
      const record = decodeShard(bytes, meta.size, meta.refSize)[index - first]!;
      return { meta, record };
    }
    first += shard.count;
  }
  throw new Error(`${dataDir}/meta.json lists ${first} records in its shards, not ${meta.count}`);
}

/** Write the request folder for record `index`; returns the request.json path. */
export async function exportSample(
  dataDir: string,
  index: number,
  outDir: string,
): Promise<string> {
  const { meta, record } = await readRecord(dataDir, index);
  const S = meta.size;
  const R = meta.refSize;
  await mkdir(outDir, { recursive: true });
  const instances = record.header.instances.map((inst, j) => ({
    box: inst.box,
    phrase: inst.phrase,
    label: inst.name,
    reference: `ref${j}.png`,
    z: inst.z,
  }));
  for (const [j, ref] of record.references.entries()) {
    const data = new Uint8ClampedArray(ref); // already RGBA, alpha = mask
    await writePng(join(outDir, `ref${j}.png`), { width: R, height: R, data });
  }
  await writePng(join(outDir, 'target.png'), rgbToRgba(record.target, S, S));
  await writePng(join(outDir, 'layout.png'), rgbToRgba(record.layout, S, S));
  const request = {
    width: S,
    height: S,
    prompt: record.header.caption,
    instances,
    seed: index,
  };
  const path = join(outDir, 'request.json');
  await writeFile(path, JSON.stringify(request, null, 2) + '\n');
  return path;
}

async function main(argv: string[]): Promise<void> {
  const [dataDir, indexRaw, outDir] = argv;
  if (dataDir === undefined || indexRaw === undefined || outDir === undefined) {
    console.error('usage: npx tsx scripts/parity/export-sample.ts DATA_DIR INDEX OUT_DIR');
    process.exitCode = 2;
    return;
  }
  const path = await exportSample(dataDir, Number(indexRaw), outDir);
  console.log(`wrote ${path}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
