/**
 * Dumps the FLUX job plans TypeScript makes for seeded random requests, with the dense CLA and
 * ICA masks of TypeScript's descriptor rule, for the Python worker's equality test
 * (spec/WORKER-PROTOCOL.md section 6, python/tests/test_flux_plans.py). Each plan goes through
 * the real planning path (`planFluxJob`: validation, layout, reference buckets, token plan);
 * the text segment is shortened (8 tokens) and the reference buckets made small to keep the
 * file small.
 *
 *   npx tsx scripts/dump-flux-plans.ts OUT.json [--count 24] [--seed 1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createRng,
  denseMask,
  maskRows,
  type GenerationRequest,
  type ReferenceCutout,
  type Rng,
} from '@contextgen/core';
import { planFluxJob, PUBLISHED_SEQUENCE, type FluxCard } from '@contextgen/runtime';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { count: { type: 'string', default: '24' }, seed: { type: 'string', default: '1' } },
});
if (positionals.length !== 1) {
  console.error('usage: npx tsx scripts/dump-flux-plans.ts OUT.json [--count 24] [--seed 1]');
  process.exit(2);
}
const count = Number(values.count);
const seed = Number(values.seed);

/** A card with the published rules except a short text segment and small references. */
const CARD: FluxCard = {
  kind: 'flux-kontext-lora',
  name: 'plan-dump',
  folder: '/nonexistent',
  description: '',
  trained: false,
  tokenSize: PUBLISHED_SEQUENCE.tokenSize,
  limits: { maxInstances: 6, minSide: 32, maxSide: 256, maxTokens: 4096 },
  sampling: {
    steps: 2,
    guidance: 3.5,
    shift: { baseTokens: 256, maxTokens: 4096, baseShift: 0.5, maxShift: 1.15 },
  },
  provenance: {},
  flux: {
    base: '/nonexistent',
    lora: '/nonexistent',
    dtype: 'float32',
    profile: 'full',
    textTokens: 8,
    references: {
      ...PUBLISHED_SEQUENCE.references,
      buckets: [
        { maxShorterSide: 64, base: 32 },
        { maxShorterSide: 128, base: 48 },
      ],
      largestBase: 64,
    },
  },
};

const int = (rng: Rng, lo: number, hi: number): number =>
  lo + Math.floor(rng.nextFloat() * (hi - lo + 1));

/** A reference with an ellipse mask, sometimes with holes so some tokens are invalid. */
function randomReference(rng: Rng): ReferenceCutout {
  const w = int(rng, 6, 60);
  const h = int(rng, 6, 60);
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < data.length; i++) data[i] = int(rng, 0, 255);
  const mask = new Uint8Array(w * h);
  const holes = rng.nextFloat() < 0.5;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const dx = (x + 0.5) / w - 0.5;
      const dy = (y + 0.5) / h - 0.5;
      const inside = dx * dx + dy * dy < 0.25;
      const hole = holes && Math.floor(x / 8) % 2 === 1 && Math.floor(y / 8) % 2 === 0;
      mask[y * w + x] = inside && !hole ? 255 : 0;
    }
  mask[Math.floor(h / 2) * w + Math.floor(w / 2)] = 255; // never empty
  return { image: { width: w, height: h, data }, mask: { width: w, height: h, data: mask } };
}

const plans = [];
for (let i = 0; i < count; i++) {
  const rng = createRng(seed * 1000 + i);
  const width = 16 * int(rng, 2, 8);
  const height = 16 * int(rng, 2, 8);
  const n = int(rng, 1, 4);
  const references: (ReferenceCutout | undefined)[] = [];
  const instances: GenerationRequest['instances'] = [];
  for (let j = 0; j < n; j++) {
    const x1 = int(rng, 0, width - 2);
    const y1 = int(rng, 0, height - 2);
    let box: [number, number, number, number] = [
      x1,
      y1,
      int(rng, x1 + 1, width),
      int(rng, y1 + 1, height),
    ];
    const outer = instances[0]?.box;
    if (j === 1 && i % 4 === 0 && outer && outer[2] - outer[0] >= 4 && outer[3] - outer[1] >= 4) {
      // every 4th plan: the second box nested inside the first
      box = [outer[0] + 1, outer[1] + 1, outer[2] - 1, outer[3] - 1];
    }
    const withRef = rng.nextFloat() < 0.8;
    instances.push({ box, ...(withRef ? { reference: `ref-${j}.png` } : {}) });
    references.push(withRef ? randomReference(rng) : undefined);
  }
  const planned = planFluxJob(
    CARD,
    { width, height, prompt: 'random plan', seed: i, instances },
    { references },
  );
  const { job } = planned;
  const d = {
    seg: Int32Array.from(job.plan.seg),
    inst: Int32Array.from(job.plan.inst),
    cover: Int32Array.from(job.plan.cover),
    valid: Int32Array.from(job.plan.valid),
  };
  const N = job.plan.seg.length;
  plans.push({
    name: `random-${i}`,
    width,
    height,
    references: job.references,
    refSizes: planned.references.map((r) => [r.image.width, r.image.height]),
    boxes: instances.map((inst) => inst.box),
    plan: job.plan,
    expected: { cla: maskRows(denseMask(d, 'cla'), N), ica: maskRows(denseMask(d, 'ica'), N) },
  });
}

const out = resolve(positionals[0]!);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ format: 'contextgen-flux-plans/1', seed, plans }));
console.log(`wrote ${plans.length} plans to ${out}`);
