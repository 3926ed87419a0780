/**
 * Latency of the published-model path (FLUX.1-Kontext + LoRA worker): worker start (spawn to
 * `ready`: Python imports + model load), the first job, warm jobs (model kept loaded), and
 * how much of a warm job is outside the worker (planning, job files, PNG read-back).
 * Default model: the tiny random folder (.cache/tiny-flux, CPU). Prints figures; not a test.
 *
 *   npx tsx scripts/bench-flux-worker.ts [--model DIR] [--runs 5] [--steps 2] [--size 64] [--json]
 */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import type { GenerationRequest, ReferenceCutout } from '@contextgen/core';
import { openGenerator } from '@contextgen/runtime';
import { tinyFluxModel } from '../packages/runtime/src/flux/tiny-flux.test-util.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    runs: { type: 'string', default: '5' },
    steps: { type: 'string', default: '2' },
    size: { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
  },
});
const side = Number(values.size);
const folder = values.model ?? (await tinyFluxModel());

function cutout(n: number): ReferenceCutout {
  const data = new Uint8ClampedArray(n * n * 4).fill(180);
  const mask = new Uint8Array(n * n);
  for (let y = 2; y < n - 2; y++) for (let x = 2; x < n - 2; x++) mask[y * n + x] = 255;
  return { image: { width: n, height: n, data }, mask: { width: n, height: n, data: mask } };
}
const request: GenerationRequest = {
  width: side,
  height: side,
  prompt: 'a cat next to a dog',
  seed: 1,
  steps: Number(values.steps),
  instances: [
    { box: [0, 0, side / 2, side / 2], reference: 'a' },
    { box: [side / 2, side / 4, side, side], reference: 'b' },
  ],
};
const images = { references: [cutout(24), cutout(32)] };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const t0 = performance.now();
const gen = await openGenerator(folder, { allowUntrained: true });
const startMs = performance.now() - t0;
const t1 = performance.now();
const first = await gen.generate(request, images);
const firstMs = performance.now() - t1;
const warm: number[] = [];
const outside: number[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  const t = performance.now();
  const r = await gen.generate({ ...request, seed: i + 2 }, images);
  warm.push(performance.now() - t);
  outside.push(r.timings.totalMs - r.timings.modelMs);
}
await gen.dispose();
if (!values.model) await rm(folder, { recursive: true, force: true });

const figures = {
  model: gen.card.name,
  size: `${side}x${side}`,
  references: 2,
  steps: request.steps,
  tokens: first.tokens,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  workerStartSeconds: +(startMs / 1000).toFixed(2),
  firstJobSeconds: +(firstMs / 1000).toFixed(3),
  warmJobSecondsMedian: +(median(warm) / 1000).toFixed(3),
  warmJobSecondsMin: +(Math.min(...warm) / 1000).toFixed(3),
  outsideWorkerMsMedian: +median(outside).toFixed(1),
  runs: warm.length,
};
if (values.json) console.log(JSON.stringify(figures));
else {
  console.log(
    `model ${figures.model}: ${figures.size}, 2 references, ${figures.steps} steps, ${figures.tokens} tokens; ${figures.cores} cores (${figures.cpu})`,
  );
  console.log(`worker start (spawn -> ready): ${figures.workerStartSeconds} s`);
  console.log(
    `first job: ${figures.firstJobSeconds} s; warm job median of ${figures.runs}: ${figures.warmJobSecondsMedian} s (min ${figures.warmJobSecondsMin} s), of which outside the worker ${figures.outsideWorkerMsMedian} ms`,
  );
}
