import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shiftMu, timeShift, timesteps } from './schedule.ts';

const cfg = { baseTokens: 256, maxTokens: 4096, baseShift: 0.5, maxShift: 1.15 };

test('mu is linear between the base and max token counts', () => {
  assert.equal(shiftMu(256, cfg), 0.5);
  assert.ok(Math.abs(shiftMu(4096, cfg) - 1.15) < 1e-12);
  assert.ok(Math.abs(shiftMu(2176, cfg) - 0.825) < 1e-12);
});

test('time shift: fixed ends, t shifted up for mu > 0, identity at mu = 0', () => {
  assert.equal(timeShift(1, 0), 0);
  assert.equal(timeShift(1, 1), 1);
  assert.ok(Math.abs(timeShift(0, 0.3) - 0.3) < 1e-15);
  const e = Math.exp(0.7);
  assert.ok(Math.abs(timeShift(0.7, 0.5) - e / (e + 1)) < 1e-15);
  assert.ok(timeShift(0.7, 0.5) > 0.5);
});

test('timesteps run from 1 to 0, strictly decreasing, steps + 1 long', () => {
  const ts = timesteps(10, 1024, cfg);
  assert.equal(ts.length, 11);
  assert.equal(ts[0], 1);
  assert.equal(ts[10], 0);
  for (let i = 1; i < ts.length; i++) assert.ok(ts[i]! < ts[i - 1]!);
  assert.throws(() => timesteps(0, 1024, cfg), /steps/);
});
