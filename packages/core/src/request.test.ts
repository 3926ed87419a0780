import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError, requestLimits, validateRequest } from './request.ts';
import { testManifest } from './testing.ts';

const limits = requestLimits(testManifest()); // P 8, sides 32..128, 8 instances, 4 steps, guidance 1

function fieldOf(fn: () => unknown): { field: string; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RequestError, `expected RequestError, got ${String(e)}`);
    return { field: e.field, message: e.message };
  }
  assert.fail('expected a RequestError');
}

const base = { width: 64, height: 64, prompt: 'a cat' };

test('a good request passes with defaults filled and no warnings', () => {
  const { request, warnings } = validateRequest(
    { ...base, instances: [{ box: [0, 0, 32, 32] }] },
    limits,
  );
  assert.deepEqual(warnings, []);
  assert.equal(request.steps, 4);
  assert.equal(request.guidance, 1);
  assert.equal(request.seed, undefined);
  assert.deepEqual(request.instances[0]!.box, [0, 0, 32, 32]);
});

test('inverted, empty and NaN boxes are errors naming the box', () => {
  let e = fieldOf(() =>
    validateRequest(
      { ...base, instances: [{ box: [0, 0, 10, 10] }, { box: [30, 30, 10, 40] }] },
      limits,
    ),
  );
  assert.equal(e.field, 'instances[1].box');
  assert.match(e.message, /inverted.*\[10, 30, 30, 40\]/);
  e = fieldOf(() => validateRequest({ ...base, instances: [{ box: [5, 5, 5, 20] }] }, limits));
  assert.match(e.message, /empty/);
  e = fieldOf(() =>
    validateRequest({ ...base, instances: [{ box: [0, Number.NaN, 5, 20] }] }, limits),
  );
  assert.equal(e.field, 'instances[0].box[1]');
  e = fieldOf(() => validateRequest({ ...base, instances: [{ box: [0, 5, 20] }] }, limits));
  assert.match(e.field, /instances\[0\]\.box/);
});

test('boxes partly outside are clipped with a warning; fully outside is an error', () => {
  const { request, warnings } = validateRequest(
    { ...base, instances: [{ box: [-10, 50, 30, 90] }] },
    limits,
  );
  assert.deepEqual(request.instances[0]!.box, [0, 50, 30, 64]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /instances\[0\]\.box.*clipped to \[0, 50, 30, 64\]/);
  const e = fieldOf(() =>
    validateRequest({ ...base, instances: [{ box: [70, 0, 90, 10] }] }, limits),
  );
  assert.equal(e.field, 'instances[0].box');
  assert.match(e.message, /entirely outside the 64x64 canvas/);
});

test('too many instances states the limit', () => {
  const instances = Array.from({ length: 9 }, () => ({ box: [0, 0, 8, 8] }));
  const e = fieldOf(() => validateRequest({ ...base, instances }, limits));
  assert.equal(e.field, 'instances');
  assert.match(e.message, /at most 8/);
});

test('canvas is rounded to the token size with a warning and checked against min/max', () => {
  const { request, warnings } = validateRequest({ ...base, width: 61, height: 70 }, limits);
  assert.equal(request.width, 64);
  assert.equal(request.height, 72);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /width 61 .*token size 8; rounded to 64/);
  let e = fieldOf(() => validateRequest({ ...base, width: 512 }, limits));
  assert.equal(e.field, 'width');
  assert.match(e.message, /32\.\.128/);
  e = fieldOf(() => validateRequest({ ...base, height: 8 }, limits));
  assert.equal(e.field, 'height');
  e = fieldOf(() => validateRequest({ ...base, width: 64.5 }, limits));
  assert.equal(e.field, 'width');
});

test('steps, guidance and seed out of range are rejected', () => {
  assert.equal(fieldOf(() => validateRequest({ ...base, steps: 0 }, limits)).field, 'steps');
  assert.equal(fieldOf(() => validateRequest({ ...base, steps: 2.5 }, limits)).field, 'steps');
  assert.equal(fieldOf(() => validateRequest({ ...base, guidance: -1 }, limits)).field, 'guidance');
  assert.equal(fieldOf(() => validateRequest({ ...base, guidance: 99 }, limits)).field, 'guidance');
  assert.equal(fieldOf(() => validateRequest({ ...base, seed: -3 }, limits)).field, 'seed');
  assert.equal(fieldOf(() => validateRequest({ ...base, prompt: 3 }, limits)).field, 'prompt');
});

test('unknown fields are warned about, a mask without reference is an error', () => {
  const { warnings } = validateRequest(
    { ...base, promt: 'x', instances: [{ box: [0, 0, 8, 8], colour: 1 }] },
    limits,
  );
  assert.deepEqual(warnings, [
    'ignored unknown field "promt"',
    'instances[0]: ignored unknown field "colour"',
  ]);
  const e = fieldOf(() =>
    validateRequest({ ...base, instances: [{ box: [0, 0, 8, 8], mask: 'm.png' }] }, limits),
  );
  assert.equal(e.field, 'instances[0].mask');
});
