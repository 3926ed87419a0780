import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussianNoise } from './noise.ts';
import { CancelledError, sample } from './sampler.ts';
import { timesteps } from './schedule.ts';

// Analytic test double: with x_t = (1-t) c + t eps the exact velocity is (x - c)/t, and an Euler
// step lands exactly on the straight line, so any schedule must end at c.
const c = Float32Array.from([0.5, -0.25, 0.75, -1]);
const u = Float32Array.from([0, 0.1, -0.1, 0.2]);
const towards = (target: Float32Array) => (x: Float32Array, t: number) =>
  Promise.resolve(x.map((v, i) => (v - target[i]!) / t));
const ts = timesteps(6, 64, { baseTokens: 16, maxTokens: 256, baseShift: 0.5, maxShift: 1.15 });

test('Euler on the analytic velocity reaches the target from any noise', async () => {
  const x = await sample({
    noise: gaussianNoise(3, 4),
    timesteps: ts,
    guidance: 1,
    predict: towards(c),
  });
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(x[i]! - c[i]!) < 1e-5, `${x[i]} vs ${c[i]}`);
});

test('guidance g gives u + g (c - u); g = 1 never calls the unconditional branch', async () => {
  const branches: string[] = [];
  const predict = (x: Float32Array, t: number, b: 'cond' | 'uncond') => {
    branches.push(b);
    return towards(b === 'cond' ? c : u)(x, t);
  };
  const x = await sample({ noise: gaussianNoise(4, 4), timesteps: ts, guidance: 3, predict });
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(x[i]! - (u[i]! + 3 * (c[i]! - u[i]!))) < 1e-5);
  assert.equal(branches.filter((b) => b === 'uncond').length, 6);
  branches.length = 0;
  await sample({ noise: gaussianNoise(4, 4), timesteps: ts, guidance: 1, predict });
  assert.deepEqual(branches, new Array(6).fill('cond'));
});

test('same seed, same bits; progress reports every step; the noise is not modified', async () => {
  const noise = gaussianNoise(11, 4);
  const before = Float32Array.from(noise);
  const steps: number[] = [];
  const curved = (x: Float32Array, t: number) => Promise.resolve(x.map((v) => Math.sin(v * 3) + t));
  const a = await sample({
    noise,
    timesteps: ts,
    guidance: 2,
    predict: curved,
    onProgress: (p) => steps.push(p.step),
    reportLatent: true,
  });
  const b = await sample({
    noise: gaussianNoise(11, 4),
    timesteps: ts,
    guidance: 2,
    predict: curved,
  });
  assert.deepEqual(a, b);
  assert.deepEqual(noise, before);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6]);
});

test('an aborted signal stops between steps with CancelledError', async () => {
  const ctrl = new AbortController();
  let calls = 0;
  const run = sample({
    noise: gaussianNoise(1, 4),
    timesteps: ts,
    guidance: 1,
    predict: (x, t) => {
      calls++;
      return towards(c)(x, t);
    },
    onProgress: (p) => {
      if (p.step === 2) ctrl.abort();
    },
    signal: ctrl.signal,
  });
  await assert.rejects(
    run,
    (e: unknown) => e instanceof CancelledError && /after 2 of 6 steps/.test(e.message),
  );
  assert.equal(calls, 2);
});

test('a velocity of the wrong size is reported', async () => {
  await assert.rejects(
    sample({
      noise: new Float32Array(4),
      timesteps: ts,
      guidance: 1,
      predict: () => Promise.resolve(new Float32Array(3)),
    }),
    /velocity has 3 values, the latent 4/,
  );
});
