/**
 * How well the cutout methods recover true subject masks.
 * 1. The labelled photo set (scripts/lib/cutout-set.ts; people, animals, objects): IoU (mask >= 128
 *    vs the true mask) per image and per category, CPU time per image, and the heuristic's
 *    warnings, for the heuristic and every installed matting backend (or those named).
 * 2. The example references flattened onto a plain background (examples/pets, built by
 *    scripts/make-example-pets.ts): heuristic IoU with the original emoji alpha, counted at
 *    alpha >= 128 (the solid subject) and alpha > 0 (soft edges too).
 * Run: npx tsx scripts/measure-cutout.ts [--methods heuristic,u2netp,isnet-imgly] [--threads N]
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { Mask, RgbaImage } from '@contextgen/core';
import {
  autoCutout,
  checkCutoutMask,
  decodeImageFile,
  isBackendInstalled,
  isMattingBackendId,
  loadMattingBackend,
  MATTING_BACKEND_IDS,
  type MattingBackendId,
} from '@contextgen/imaging';
import { REPO_ROOT } from '@contextgen/runtime';
import { loadCutoutSet, type Category } from './lib/cutout-set.ts';

const { values } = parseArgs({
  options: { methods: { type: 'string' }, threads: { type: 'string' } },
});
const threads = values.threads !== undefined ? Number(values.threads) : 2;
const methods: ('heuristic' | MattingBackendId)[] =
  values.methods !== undefined
    ? values.methods.split(',').map((m) => {
        if (m !== 'heuristic' && !isMattingBackendId(m))
          throw new Error(
            `--methods: unknown ${m}; use heuristic, ${MATTING_BACKEND_IDS.join(', ')}`,
          );
        return m;
      })
    : ['heuristic', ...MATTING_BACKEND_IDS.filter((id) => isBackendInstalled(id))];

function maskIou(mask: Mask, truth: Mask): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < mask.data.length; i++) {
    const a = mask.data[i]! >= 128;
    const b = truth.data[i]! >= 128;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return union === 0 ? 1 : inter / union;
}

type Cut = (image: RgbaImage) => Promise<{ mask: Mask; warnings: string[] }>;
const cutters: [string, Cut, () => Promise<void>][] = [];
for (const m of methods) {
  if (m === 'heuristic') {
    cutters.push([
      m,
      async (image) => {
        const mask = autoCutout(image).mask;
        return { mask, warnings: checkCutoutMask(mask).map((c) => c.code) };
      },
      async () => {},
    ]);
  } else {
    const model = await loadMattingBackend(m, { threads });
    cutters.push([
      m,
      async (image) => ({ mask: await model.matte(image), warnings: [] }),
      () => model.dispose(),
    ]);
  }
}

const set = await loadCutoutSet();
const perCategory = new Map<string, number[]>();
const times = new Map<string, number[]>();
console.log(
  `labelled set: ${set.length} images; IoU at mask >= 128; time = CPU wall ms per image (${threads} threads)`,
);
console.log(['image', 'size', ...cutters.map(([n]) => n)].join(' | '));
for (const item of set) {
  const cells: string[] = [item.name, `${item.image.width}x${item.image.height}`];
  for (const [name, cut] of cutters) {
    await cut(item.image); // warm-up (first call builds the session's kernels)
    const t0 = performance.now();
    const { mask, warnings } = await cut(item.image);
    const ms = performance.now() - t0;
    const score = maskIou(mask, item.truth);
    const key = `${item.category}|${name}`;
    perCategory.set(key, [...(perCategory.get(key) ?? []), score]);
    times.set(name, [...(times.get(name) ?? []), ms]);
    const empty = mask.data.every((v) => v < 128);
    const notes = [`${ms.toFixed(0)} ms`, ...(empty ? ['empty: refused'] : [])];
    if (warnings.length) notes.push(`warns ${warnings.join(', ')}`);
    cells.push(`${score.toFixed(3)} (${notes.join('; ')})`);
  }
  console.log(cells.join(' | '));
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
console.log('\nmean IoU per category');
for (const category of ['people', 'animals', 'objects'] as Category[]) {
  const row = cutters.map(([name]) =>
    mean(perCategory.get(`${category}|${name}`) ?? []).toFixed(3),
  );
  console.log([category, ...row].join(' | '));
}
const all = cutters.map(([name]) =>
  mean(
    ['people', 'animals', 'objects'].flatMap((c) => perCategory.get(`${c}|${name}`) ?? []),
  ).toFixed(3),
);
console.log(['all', ...all].join(' | '));
console.log(
  ['mean ms', ...cutters.map(([name]) => mean(times.get(name) ?? []).toFixed(0))].join(' | '),
);
for (const [, , dispose] of cutters) await dispose();

console.log('\nexamples/pets (heuristic, emoji on a plain background)');

const EMOJI = join(REPO_ROOT, 'node_modules', 'emoji-datasource-google', 'img', 'google', '64');
const PAD = 8; // make-example-pets.ts extends each flattened emoji by 8 px on every side

for (const [file, emoji] of [
  ['dog.png', '1f436.png'],
  ['rabbit.png', '1f430.png'],
] as const) {
  const { image } = await decodeImageFile(join(REPO_ROOT, 'examples', 'pets', file));
  const mask = autoCutout(image).mask;
  const truth = await sharp(join(EMOJI, emoji))
    .ensureAlpha()
    .extend({
      top: PAD,
      bottom: PAD,
      left: PAD,
      right: PAD,
      background: { r: 0, g: 0, b: 0, alpha: 0 },
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (truth.info.width !== mask.width || truth.info.height !== mask.height)
    throw new Error(
      `${file}: ${mask.width}x${mask.height} does not match the emoji (${truth.info.width}x${truth.info.height})`,
    );
  const iou = (inside: (alpha: number) => boolean): string => {
    let inter = 0;
    let union = 0;
    for (let i = 0; i < mask.data.length; i++) {
      const a = mask.data[i]! > 0;
      const b = inside(truth.data[i * 4 + 3]!);
      if (a && b) inter++;
      if (a || b) union++;
    }
    return (inter / union).toFixed(3);
  };
  console.log(
    `${file}: IoU ${iou((a) => a >= 128)} (alpha >= 128), ${iou((a) => a > 0)} (alpha > 0)`,
  );
}
