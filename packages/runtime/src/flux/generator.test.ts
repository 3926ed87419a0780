import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { composeLayout, SEG, type GenerationRequest, type ReferenceCutout } from '@contextgen/core';
import { DIFFUSERS_PARTS, parseFluxCard, type FluxCard } from './card.ts';
import { openFluxGenerator } from './generator.ts';
import { planFluxJob } from './plan.ts';

const FAKE = fileURLToPath(new URL('../../test-fixtures/fake-flux-worker.mjs', import.meta.url));

let root: string;
let card: FluxCard;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cg-flux-gen-'));
  const base = join(root, 'base');
  for (const part of DIFFUSERS_PARTS) {
    if (part.endsWith('.json')) {
      await mkdir(base, { recursive: true });
      await writeFile(join(base, part), '{}');
    } else await mkdir(join(base, part), { recursive: true });
  }
  await mkdir(join(root, 'lora'));
  await writeFile(join(root, 'lora', 'transformer_00100.safetensors'), '');
  card = parseFluxCard(
    {
      kind: 'flux-kontext-lora',
      name: 'fake-flux',
      trained: false,
      flux: { diffusers: 'base', lora: 'lora' },
      limits: { minSide: 64, maxSide: 256 },
      sampling: { steps: 4 },
    },
    root,
  );
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function cutout(w: number, h: number, filled: boolean): ReferenceCutout {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([200, 40, 40, 255], i * 4);
  const mask = new Uint8Array(w * h);
  if (filled) for (let y = 4; y < h - 4; y++) for (let x = 4; x < w - 4; x++) mask[y * w + x] = 255;
  return { image: { width: w, height: h, data }, mask: { width: w, height: h, data: mask } };
}

const REQUEST: GenerationRequest = {
  width: 128,
  height: 64,
  prompt: 'a red square and a blue one',
  seed: 11,
  instances: [
    { box: [0, 0, 64, 64], reference: 'a.png', phrase: 'red square' },
    { box: [64, 0, 128, 64] },
    { box: [70, 10, 120, 60], reference: 'b.png' },
  ],
};
const IMAGES = { references: [cutout(40, 20, true), undefined, cutout(30, 30, true)] };

test('the plan follows the published sequence: 512 text tokens, no phrases, buckets without crop', () => {
  const p = planFluxJob(card, REQUEST, IMAGES);
  const { plan } = p.job;
  const nMain = (128 / 16) * (64 / 16);
  // base 256 (shorter side 64): 40x20 -> 362x181 -> 368x192 = 23x12 tokens; 30x30 -> 256x256 = 16x16
  assert.deepEqual(
    p.references.map((r) => [r.grid.w, r.grid.h]),
    [
      [23, 12],
      [16, 16],
    ],
  );
  const n = 512 + 2 * nMain + 23 * 12 + 16 * 16;
  assert.equal(plan.seg.length, n);
  assert.equal(plan.pos.length, n);
  assert.equal(plan.textTokens, 512);
  assert.ok(!plan.seg.includes(SEG.PHRASE));
  assert.equal(p.job.references, 2);
  // instance 1 has no reference: ref tokens carry instance 0 then 2
  const refInst = new Set(plan.inst.filter((_, i) => plan.seg[i] === SEG.REF));
  assert.deepEqual([...refInst], [0, 2]);
  // ref 0 sits after the layout on the diagonal: (1, Hm, Wm)
  const firstRef = plan.seg.indexOf(SEG.REF);
  assert.deepEqual(plan.pos[firstRef], [1, 4, 8]);
  assert.deepEqual(plan.pos[512], [0, 0, 0]);
  assert.deepEqual(plan.pos[512 + nMain], [1, 0, 0]);
  assert.match(p.warnings.join('\n'), /reads only the prompt/);
  assert.equal(p.job.seed, 11);
  assert.equal(p.job.steps, 4);
  assert.equal(p.job.guidance, 3.5);
});

test('through a (fake) worker: image, previews, seed; temp dirs removed; bad input leaves the worker usable; dispose stops it', async () => {
  const before = (await readdir(tmpdir())).filter((n) => n.startsWith('contextgen-flux-'));
  const g = await openFluxGenerator(card, {}, { command: process.execPath, args: [FAKE] });
  const pid = g.worker.pid!;
  try {
    const previews: number[] = [];
    const r = await g.generate(REQUEST, IMAGES, {
      previews: true,
      onProgress: (p) => {
        if (p.preview) previews.push(p.preview.width);
      },
    });
    assert.equal(r.seed, 11);
    assert.deepEqual([r.image.width, r.image.height], [128, 64]);
    // the fake returns the layout it was given: what TypeScript composed
    const layout = composeLayout(128, 64, [
      { box: [0, 0, 64, 64], reference: IMAGES.references[0]! },
      { box: [64, 0, 128, 64] },
      { box: [70, 10, 120, 60], reference: IMAGES.references[2]! },
    ]);
    assert.deepEqual(r.image.data, layout.data);
    assert.ok(previews.length >= 1 && previews.every((w) => w === 128));

    // 20 steps: a preview every 2nd step; reports still arrive in step order
    const order: string[] = [];
    await g.generate({ ...REQUEST, steps: 20 }, IMAGES, {
      previews: true,
      onProgress: (p) => order.push(`${p.step}${p.preview ? '*' : ''}`),
    });
    assert.deepEqual(
      order,
      Array.from({ length: 20 }, (_, i) => `${i + 1}${(i + 1) % 2 === 0 ? '*' : ''}`),
    );
    assert.equal(r.tokens, 512 + 64 + 23 * 12 + 16 * 16);

    const empty = { references: [cutout(40, 20, false), undefined, cutout(30, 30, true)] };
    await assert.rejects(g.generate(REQUEST, empty), {
      name: 'RequestError',
      message: /instances\[0\]\.reference: the cutout mask is empty/,
    });
    await assert.rejects(g.generate({ ...REQUEST, width: 1000 }, IMAGES), { name: 'RequestError' });
    assert.equal((await g.generate(REQUEST, IMAGES)).seed, 11);
    assert.equal(g.worker.starts, 1);
  } finally {
    await g.dispose();
  }
  assert.throws(() => process.kill(pid, 0));
  const left = (await readdir(tmpdir())).filter((n) => n.startsWith('contextgen-flux-'));
  assert.deepEqual(
    left.filter((n) => !before.includes(n)),
    [],
  );
});
