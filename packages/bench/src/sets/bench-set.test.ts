import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitCases } from './bench-set.ts';
import type { BenchCase } from './bench-set.ts';

const mk = (level: number, k: number): BenchCase => ({
  id: `s-L${level}-${k}`,
  level,
  sampleId: k,
  seed: 0,
  scene: 'beach',
  caption: '',
  instances: [{ identity: 'a', box: [0, 0, 1, 1] }],
});

test('limitCases spreads a limit over levels and keeps the set order', () => {
  const cases = [2, 3, 4].flatMap((l) => [0, 1, 2].map((k) => mk(l, k)));
  assert.deepEqual(
    limitCases(cases, 4).map((c) => c.id),
    ['s-L2-0', 's-L2-1', 's-L3-0', 's-L4-0'],
  );
  assert.equal(limitCases(cases, undefined).length, 9);
  assert.equal(limitCases(cases, 50).length, 9);
});
