import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricRow, metricTable, instanceIou, imageSuccess } from './metrics.ts';
import type { CaseScore, InstanceScore } from './scores.ts';

const inst = (
  iou: number,
  identityPass: boolean,
  similarity = 50,
  copyPaste = false,
): InstanceScore => ({
  found: iou > 0 ? [0, 0, 1, 1] : null,
  iou,
  similarity,
  identityPass,
  copyPaste,
});

test('per-instance IoU is zeroed when the identity check fails', () => {
  assert.equal(instanceIou(inst(0.9, true)), 0.9);
  assert.equal(instanceIou(inst(0.9, false)), 0);
});

test('hand-made set: mIoU, I-SR, SR, similarity, copy-paste, scene', () => {
  const cases: CaseScore[] = [
    // image 1: both pass -> image success
    { id: 'a', level: 2, sceneMatch: true, instances: [inst(0.8, true, 90), inst(0.6, true, 70)] },
    // image 2: one fails identity, one IoU below 0.5
    {
      id: 'b',
      level: 2,
      sceneMatch: false,
      instances: [inst(0.9, false, 20, true), inst(0.4, true, 60)],
    },
    // image 3 (level 3): exactly 0.5 counts as success
    {
      id: 'c',
      level: 3,
      sceneMatch: true,
      instances: [inst(0.5, true, 80), inst(1, true, 100), inst(0.7, true, 30)],
    },
  ];
  const r = metricRow(cases);
  assert.equal(r.images, 3);
  assert.equal(r.instances, 7);
  // IoUs counted: .8 .6 0 .4 .5 1 .7 = 4.0
  assert.ok(Math.abs(r.mIoU - 4.0 / 7) < 1e-12);
  // successes: a0 a1 c0 c1 c2 = 5 of 7
  assert.ok(Math.abs(r.iSR - 5 / 7) < 1e-12);
  assert.ok(Math.abs(r.SR - 2 / 3) < 1e-12);
  assert.ok(Math.abs(r.similarity - (90 + 70 + 20 + 60 + 80 + 100 + 30) / 7) < 1e-12);
  assert.ok(Math.abs(r.copyPaste - 1 / 7) < 1e-12);
  assert.ok(Math.abs(r.scene - 2 / 3) < 1e-12);

  const t = metricTable(cases);
  assert.deepEqual(
    t.map((x) => x.level),
    ['L2', 'L3', 'overall'],
  );
  assert.equal(t[0]!.row.SR, 0.5);
  assert.equal(t[1]!.row.SR, 1);
  assert.ok(Math.abs(t[0]!.row.mIoU - 1.8 / 4) < 1e-12);
});

test('an image with no instances is not a success; empty sets give zeros', () => {
  assert.equal(imageSuccess({ id: 'x', level: 2, sceneMatch: true, instances: [] }), false);
  const r = metricRow([]);
  assert.equal(r.mIoU, 0);
  assert.equal(r.SR, 0);
});
