/**
 * Writes python/tests/fixtures/noise-golden.json: seeded noise vectors from packages/core's
 * `noise.ts` (xoshiro128** + the portable logarithm), which python/tests/test_noise.py compares
 * bit for bit against contextgen_train.noise, so the Python sampler and `contextgen generate`
 * start from the same latent for the same seed.
 *
 *   npx tsx scripts/gen-noise-golden.ts [OUT]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, gaussianNoise, portableLog } from '../packages/core/src/noise.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(ROOT, 'python', 'tests', 'fixtures', 'noise-golden.json');

const bits = (a: Float32Array): number[] =>
  Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const SEEDS = [0, 1, 42, 123456789, 4294967295];
const golden = {
  uint32: SEEDS.map((seed) => {
    const rng = createRng(seed);
    return { seed, values: Array.from({ length: 8 }, () => rng.nextUint32()) };
  }),
  float: SEEDS.map((seed) => {
    const rng = createRng(seed);
    return { seed, values: Array.from({ length: 4 }, () => rng.nextFloat()) };
  }),
  log: [
    1e-300, 1e-7, 0.001, 0.25, 0.5, 0.7071067811865476, 0.99999, 1, 1.5, 2, 10, 12345.678, 1e300,
  ].map((x) => ({ x, ln: portableLog(x) })),
  gaussianBits: SEEDS.map((seed) => ({ seed, n: 33, bits: bits(gaussianNoise(seed, 33)) })),
  // The embedded model's latent at 128x128 (256 tokens x 192 values), by hash of the float32 bytes.
  gaussianSha256: [7, 2026].map((seed) => {
    const a = gaussianNoise(seed, 256 * 192);
    return {
      seed,
      n: a.length,
      sha256: createHash('sha256').update(new Uint8Array(a.buffer)).digest('hex'),
    };
  }),
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(golden) + '\n');
console.log(`wrote ${out}`);
