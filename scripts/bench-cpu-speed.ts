/**
 * CPU speed of a model (default: the shipped one) on a 128x128, 4-instance request
 * (examples/pets) at the model's default settings: seconds per image, the share spent inside
 * the model (text encoding + sampling, `timings.modelMs`), and peak memory. Any model kind
 * (`--model DIR`) runs through its `Generator`. Prints figures; it is a benchmark, not a test.
 *
 * Run: npx tsx scripts/bench-cpu-speed.ts [--model DIR] [--runs 5] [--threads 2] [--steps N] [--json]
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import type { GenerationRequest } from '@contextgen/core';
import { loadReference } from '@contextgen/imaging';
import { findModel, openGenerator, REPO_ROOT } from '@contextgen/runtime';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    request: { type: 'string', default: join(REPO_ROOT, 'examples', 'pets', 'request.json') },
    runs: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    steps: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

const modelDir = findModel({ model: values.model, env: process.env.CONTEXTGEN_MODEL });
const loadStart = performance.now();
const generator = await openGenerator(modelDir, {
  threads: Number(values.threads),
  allowUntrained: true,
});
const { card } = generator;
const loadMs = performance.now() - loadStart;
const reqPath = resolve(values.request);
const request = JSON.parse(await readFile(reqPath, 'utf8')) as GenerationRequest & {
  instances: { reference?: string }[];
};
if (values.steps) request.steps = Number(values.steps);
const references = await Promise.all(
  request.instances.map((inst) =>
    inst.reference
      ? loadReference(join(dirname(reqPath), inst.reference)).then((r) => r.cutout)
      : undefined,
  ),
);

const totals: number[] = [];
const inModel: number[] = [];
for (let run = 0; run <= Number(values.runs); run++) {
  const t = performance.now();
  const result = await generator.generate(request, { references });
  const total = performance.now() - t;
  if (result.image.width !== request.width) throw new Error('unexpected output size');
  if (run === 0) continue; // warm-up
  totals.push(total);
  inModel.push(result.timings.modelMs);
}
await generator.dispose();

const peakRssMiB = process.resourceUsage().maxRSS / 1024;
const figures = {
  model: card.name,
  trained: card.trained,
  request: relative(REPO_ROOT, reqPath),
  instances: request.instances.length,
  size: `${request.width}x${request.height}`,
  steps: request.steps ?? card.sampling.steps,
  guidance: request.guidance ?? card.sampling.guidance,
  threads: Number(values.threads),
  cpu: cpus()[0]?.model ?? 'unknown',
  runs: totals.length,
  secondsPerImage: +(median(totals) / 1000).toFixed(3),
  modelShare: +(median(inModel) / median(totals)).toFixed(3),
  secondsInModel: +(median(inModel) / 1000).toFixed(3),
  loadSeconds: +(loadMs / 1000).toFixed(3),
  peakRssMiB: +peakRssMiB.toFixed(0),
};
if (values.json) console.log(JSON.stringify(figures));
else {
  console.log(
    `model ${figures.model}: ${figures.size}, ${figures.instances} instances, ${figures.steps} steps, guidance ${figures.guidance}, ${figures.threads} threads`,
  );
  console.log(`seconds per image (median of ${figures.runs}): ${figures.secondsPerImage}`);
  console.log(
    `inside the model: ${figures.secondsInModel} s (${(figures.modelShare * 100).toFixed(1)}%)`,
  );
  console.log(
    `model load: ${figures.loadSeconds} s; peak RSS: ${figures.peakRssMiB} MiB; cpu: ${figures.cpu}`,
  );
}
