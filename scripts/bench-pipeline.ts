/**
 * How long `generate` spends outside the model (validation, layout composition, reference
 * preparation, token planning, input building, the Euler loop, unpatchify) for a 6-instance
 * 128x128 request shaped like the embedded model's (P=8, refArea 4096: 64 tokens a reference).
 *
 * The network is the tiny fixture model (packages/runtime/test-fixtures/tiny-model, random
 * weights, dynamic shapes) with the embedded model's limits patched into its manifest in memory;
 * every executor call is timed, so "outside the model" = generate total - time inside ONNX
 * Runtime. A second pass uses an instant executor (zeros) for the pipeline alone.
 *
 * Run: npx tsx scripts/bench-pipeline.ts [--runs 5] [--steps 12] [--threads 2]
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  denseMask,
  generate,
  prepareGeneration,
  type DenoiserInputs,
  type Executor,
  type GenerationRequest,
  type ModelManifest,
  type RequestImages,
} from '@contextgen/core';
import { loadReference } from '@contextgen/imaging';
import { loadModel, REPO_ROOT } from '@contextgen/runtime';
import { timedExecutor } from './lib/timed-executor.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    steps: { type: 'string', default: '12' },
    threads: { type: 'string', default: '2' },
  },
});
const runs = Number(values.runs);
const steps = Number(values.steps);

const EMOJI = join(REPO_ROOT, 'node_modules', 'emoji-datasource-google', 'img', 'google', '64');
const PETS = ['1f431', '1f436', '1f430', '1f43c', '1f98a', '1f438'];
const request: GenerationRequest = {
  width: 128,
  height: 128,
  prompt:
    'a cat face, a dog face, a rabbit face, a panda face, a fox face and a frog face on a meadow',
  seed: 1,
  steps,
  guidance: 1,
  instances: [
    [4, 4, 48, 48],
    [44, 6, 86, 50],
    [84, 4, 124, 44],
    [6, 60, 60, 120],
    [50, 56, 96, 100],
    [88, 70, 126, 126],
  ].map((box, j) => ({
    box: box as [number, number, number, number],
    reference: `${PETS[j]}.png`,
    phrase: 'face',
  })),
};

const t0 = performance.now();
const refs = await Promise.all(PETS.map((p) => loadReference(join(EMOJI, `${p}.png`))));
const images: RequestImages = { references: refs.map((r) => r.cutout) };
const decodeMs = performance.now() - t0;

const model = await loadModel(
  join(REPO_ROOT, 'packages', 'runtime', 'test-fixtures', 'tiny-model'),
  { threads: Number(values.threads) },
);
const manifest: ModelManifest = {
  ...model.manifest,
  limits: {
    ...model.manifest.limits,
    maxInstances: 8,
    minSide: 64,
    maxSide: 256,
    maxTokens: 2048,
    refArea: 4096,
    refMaxSide: 96,
    maxTextTokens: 32,
    maxPhraseTokens: 6,
  },
};

const Dt = 16;
const instant = {
  encodeText: async (_ids: BigInt64Array, b: number, l: number) => ({
    data: new Float32Array(b * l * Dt),
    dims: [b, l, Dt],
  }),
  denoise: async (inputs: DenoiserInputs) => ({
    data: new Float32Array(inputs.img.data.length),
    dims: [...inputs.img.dims],
  }),
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(
  label: string,
  inner: Pick<Executor, 'encodeText' | 'denoise'>,
): Promise<void> {
  const rows: { total: number; inside: number; compose: number; plan: number; tokens: number }[] =
    [];
  for (let r = 0; r <= runs; r++) {
    const ex = timedExecutor(inner, manifest);
    const res = await generate(request, images, ex, { vocab: model.vocab });
    if (r > 0)
      rows.push({
        total: res.timings.totalMs,
        inside: ex.insideMs,
        compose: res.timings.composeMs,
        plan: res.timings.planMs,
        tokens: res.tokens,
      });
  }
  const total = median(rows.map((x) => x.total));
  const inside = median(rows.map((x) => x.inside));
  const outside = median(rows.map((x) => x.total - x.inside));
  console.log(
    `${label}: ${rows[0]!.tokens} tokens, ${steps} steps, median of ${runs}: total ${total.toFixed(1)} ms, inside the executor ${inside.toFixed(1)} ms, ` +
      `OUTSIDE THE MODEL ${outside.toFixed(1)} ms (validate+compose+references ${median(rows.map((x) => x.compose)).toFixed(1)} ms, ` +
      `tokenize+plan ${median(rows.map((x) => x.plan)).toFixed(2)} ms, inputs+sampler+unpatchify ${(outside - median(rows.map((x) => x.compose)) - median(rows.map((x) => x.plan))).toFixed(1)} ms)`,
  );
}

console.log(`decode + cut out 6 references (imaging): ${decodeMs.toFixed(1)} ms`);
await measure('fixture ONNX model (tiny, random weights)', model.executor);
await measure('instant executor (pipeline only)     ', instant);

const prep = prepareGeneration(request, images, manifest, model.vocab);
const s = performance.now();
denseMask(prep.plan.descriptors, 'cla');
denseMask(prep.plan.descriptors, 'ica');
console.log(
  `dense CLA + ICA masks (debug/visualisation only; the model builds masks from descriptors): ${(performance.now() - s).toFixed(1)} ms for ${prep.plan.length}^2`,
);
await model.executor.dispose();
