import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CaseScore } from './scores.ts';
import { metricRow } from './metrics.ts';
import {
  bootstrapMetrics,
  compareRuns,
  quantile,
  seededIndices,
  unpairedDifference,
} from './bootstrap.ts';

/** A one-instance case that succeeds (IoU 1, identity passes) or fails (identity fails). */
function oneInstance(id: string, success: boolean, similarity = success ? 90 : 10): CaseScore {
  return {
    id,
    level: 2,
    sceneMatch: true,
    instances: [
      { found: [0, 0, 1, 1], iou: 1, similarity, identityPass: success, copyPaste: false },
    ],
  };
}

/** n cases, successes drawn with probability p from a seeded stream. */
function bernoulliRun(n: number, p: number, seed: number): CaseScore[] {
  const rand = seededIndices(seed);
  return Array.from({ length: n }, (_, i) => oneInstance(`c${i}`, rand(1_000_000) < p * 1_000_000));
}

test('quantile interpolates between order statistics', () => {
  assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(quantile([0, 10], 0.25), 2.5);
  assert.equal(quantile([7], 0.9), 7);
});

test('the interval of a share matches the normal approximation and contains the figure', () => {
  const cases = bernoulliRun(400, 0.3, 1);
  const p = metricRow(cases).iSR;
  const ci = bootstrapMetrics(cases, { seed: 3 }).iSR;
  assert.equal(ci.value, p);
  assert.ok(ci.lo < p && p < ci.hi, JSON.stringify(ci));
  const half = 1.96 * Math.sqrt((p * (1 - p)) / cases.length);
  assert.ok(
    Math.abs(ci.hi - ci.lo - 2 * half) < 0.25 * 2 * half,
    `width ${ci.hi - ci.lo} vs ${2 * half}`,
  );
  // one instance per case: I-SR, SR and mIoU are the same share here
  const all = bootstrapMetrics(cases, { seed: 3 });
  assert.deepEqual(all.SR, all.iSR);
  assert.deepEqual(all.mIoU, all.iSR);
});

test('95% intervals cover the true share in about 95% of repeated experiments', () => {
  let covered = 0;
  const trials = 60;
  for (let t = 0; t < trials; t++) {
    const ci = bootstrapMetrics(bernoulliRun(200, 0.4, 100 + t), { seed: t, resamples: 400 }).iSR;
    if (ci.lo <= 0.4 && 0.4 <= ci.hi) covered++;
  }
  assert.ok(covered >= 52 && covered <= 60, `covered ${covered} of ${trials}`);
});

test('the same seed gives the same interval, another seed a slightly different one', () => {
  const rand = seededIndices(7);
  const cases = Array.from({ length: 150 }, (_, i) => oneInstance(`c${i}`, true, rand(1000) / 10));
  const a = bootstrapMetrics(cases, { seed: 11 }).similarity;
  assert.deepEqual(bootstrapMetrics(cases, { seed: 11 }).similarity, a);
  const b = bootstrapMetrics(cases, { seed: 12 }).similarity;
  assert.notDeepEqual(b, a);
  assert.ok(Math.abs(b.lo - a.lo) < 2 && Math.abs(b.hi - a.hi) < 2, `${JSON.stringify([a, b])}`);
});

test('cases are resampled whole: SR counts images, not instances', () => {
  // 100 images of 4 instances: half the images all succeed, half all fail
  const cases: CaseScore[] = Array.from({ length: 100 }, (_, i) => ({
    id: `c${i}`,
    level: 5,
    sceneMatch: true,
    instances: Array.from({ length: 4 }, () => ({
      found: [0, 0, 1, 1] as [number, number, number, number],
      iou: 1,
      similarity: 50,
      identityPass: i % 2 === 0,
      copyPaste: false,
    })),
  }));
  const ci = bootstrapMetrics(cases, { seed: 1 });
  // instances of one image move together, so I-SR is as uncertain as SR (100 draws, not 400)
  const w = (x: { lo: number; hi: number }) => x.hi - x.lo;
  assert.ok(Math.abs(w(ci.iSR) - w(ci.SR)) < 0.02, `${w(ci.iSR)} vs ${w(ci.SR)}`);
  assert.ok(w(ci.iSR) > 0.15, `width ${w(ci.iSR)}`);
});

test('paired differences: shared case difficulty cancels, the unpaired interval does not see it', () => {
  // B succeeds where A does, plus on 5% more cases: a small real gain on correlated runs
  const a = bernoulliRun(300, 0.5, 21);
  const rand = seededIndices(99);
  const b = a.map((c) => oneInstance(c.id, c.instances[0]!.identityPass || rand(100) < 10));
  const paired = compareRuns(b, a, { seed: 5 }).difference.iSR;
  const unpaired = unpairedDifference(b, a, { seed: 5 }).iSR;
  assert.equal(paired.value, unpaired.value);
  assert.ok(paired.value > 0.02);
  assert.ok(paired.lo > 0, `paired interval excludes 0: ${JSON.stringify(paired)}`);
  assert.ok(unpaired.lo < 0, `unpaired interval includes 0: ${JSON.stringify(unpaired)}`);
  assert.ok(paired.hi - paired.lo < 0.5 * (unpaired.hi - unpaired.lo));
});

test('a run compared with itself differs by exactly 0; unmatched cases are counted and left out', () => {
  const a = bernoulliRun(50, 0.5, 3);
  const same = compareRuns(a, a);
  for (const m of Object.values(same.difference)) assert.deepEqual(m, { value: 0, lo: 0, hi: 0 });
  const cmp = compareRuns(a, a.slice(0, 40).concat([oneInstance('extra', true)]));
  assert.equal(cmp.cases, 40);
  assert.equal(cmp.onlyA, 10);
  assert.equal(cmp.onlyB, 1);
  assert.throws(() => compareRuns(a, [oneInstance('x', true)]), /share no case ids/);
  assert.throws(() => bootstrapMetrics(a, { resamples: 0 }), /resamples/);
});
