/**
 * The job directory TypeScript writes for the FLUX worker (spec/WORKER-PROTOCOL.md section 4):
 * job.json (request facts + the whole token plan), layout.png and ref-K.png; and reading back
 * the PNGs the worker writes (result, previews).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decode, encode } from 'fast-png';
import type { PreparedReference, RgbaImage, TokenPlan } from '@contextgen/core';

export const JOB_FORMAT = 'contextgen-flux-job/1';

/** `plan` of job.json: CONTRACTS 1 descriptors and position ids for the whole sequence. */
export interface JobPlan {
  readonly tokenSize: number;
  readonly textTokens: number;
  readonly seg: number[];
  readonly inst: number[];
  readonly cover: number[];
  readonly valid: number[];
  readonly pos: [number, number, number][];
}

export interface JobJson {
  readonly format: typeof JOB_FORMAT;
  readonly prompt: string;
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly steps: number;
  readonly guidance: number;
  readonly previewEvery: number;
  readonly references: number;
  readonly plan: JobPlan;
}

/** A token plan as job.json carries it. */
export function jobPlan(plan: TokenPlan, tokenSize: number): JobPlan {
  const pos: [number, number, number][] = [];
  for (let i = 0; i < plan.length; i++)
    pos.push([plan.pos[i * 3]!, plan.pos[i * 3 + 1]!, plan.pos[i * 3 + 2]!]);
  return {
    tokenSize,
    textTokens: plan.textLength,
    seg: Array.from(plan.descriptors.seg),
    inst: Array.from(plan.descriptors.inst),
    cover: Array.from(plan.descriptors.cover),
    valid: Array.from(plan.descriptors.valid),
    pos,
  };
}

export function encodeRgbaPng(image: RgbaImage): Uint8Array {
  return encode({
    width: image.width,
    height: image.height,
    data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    channels: 4,
    depth: 8,
  });
}

/** A prepared reference as the worker reads it: its resized RGB with alpha = the binary mask. */
export function referenceRgba(ref: PreparedReference): RgbaImage {
  const { image, mask } = ref;
  const data = new Uint8ClampedArray(image.data);
  for (let i = 0; i < mask.data.length; i++) data[i * 4 + 3] = mask.data[i]! > 0 ? 255 : 0;
  return { width: image.width, height: image.height, data };
}

/** Write job.json, layout.png and ref-K.png (plan order) into `dir`. */
export async function writeJobFiles(
  dir: string,
  job: JobJson,
  layout: RgbaImage,
  references: readonly PreparedReference[],
): Promise<void> {
  await writeFile(join(dir, 'job.json'), JSON.stringify(job));
  await writeFile(join(dir, 'layout.png'), encodeRgbaPng(layout));
  await Promise.all(
    references.map((r, k) => writeFile(join(dir, `ref-${k}.png`), encodeRgbaPng(referenceRgba(r)))),
  );
}

/** Read an 8-bit RGB or RGBA PNG the worker wrote as an RGBA image. */
export async function readPng(path: string): Promise<RgbaImage> {
  const png = decode(await readFile(path));
  const { width, height, channels } = png;
  if (png.depth !== 8 || (channels !== 3 && channels !== 4)) {
    throw new Error(
      `${path}: expected an 8-bit RGB or RGBA PNG from the worker, got ${channels} channels at ${png.depth} bits`,
    );
  }
  const src = png.data;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = src[i * channels]!;
    data[i * 4 + 1] = src[i * channels + 1]!;
    data[i * 4 + 2] = src[i * channels + 2]!;
    data[i * 4 + 3] = channels === 4 ? src[i * channels + 3]! : 255;
  }
  return { width, height, data };
}
