import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyExternal, parseExternalScores } from './external.ts';
import { metricRow } from './metrics.ts';
import type { BenchCase } from '../sets/bench-set.ts';
import type { CaseScore } from './scores.ts';

const c: BenchCase = {
  id: 'x-L2-000',
  level: 2,
  sampleId: 0,
  seed: 1,
  scene: 'beach',
  caption: '',
  instances: [
    { identity: 'a', box: [0, 0, 10, 10] },
    { identity: 'b', box: [20, 20, 30, 30] },
  ],
};
const builtIn: CaseScore = {
  id: c.id,
  level: 2,
  sceneMatch: false,
  instances: [
    { found: [0, 0, 10, 10], iou: 1, similarity: 90, identityPass: true, copyPaste: false },
    { found: [20, 20, 30, 30], iou: 1, similarity: 90, identityPass: true, copyPaste: false },
  ],
};

test('external boxes replace found boxes and IoU is recomputed; omitted fields keep built-in values', () => {
  const ext = parseExternalScores(
    {
      format: 'contextgen-bench-external/1',
      evaluator: 'test',
      cases: {
        [c.id]: {
          instances: [{ box: [5, 0, 15, 10], identityPass: false }, { box: null }],
          sceneMatch: true,
        },
      },
    },
    'ext.json',
  );
  const s = applyExternal(c, builtIn, ext, 'ext.json');
  assert.equal(s.instances[0]!.iou, 50 / 150);
  assert.equal(s.instances[0]!.identityPass, false);
  assert.equal(s.instances[0]!.similarity, 90);
  assert.equal(s.instances[1]!.found, null);
  assert.equal(s.instances[1]!.iou, 0);
  assert.equal(s.sceneMatch, true);
  const row = metricRow([s]);
  assert.equal(row.mIoU, 0); // first fails identity, second not found
  assert.equal(row.scene, 1);
});

test('unlisted cases keep their built-in scores; wrong instance counts and formats are refused', () => {
  const ext = parseExternalScores(
    { format: 'contextgen-bench-external/1', evaluator: 't', cases: {} },
    'e',
  );
  assert.deepEqual(applyExternal(c, builtIn, ext, 'e'), builtIn);
  const bad = parseExternalScores(
    {
      format: 'contextgen-bench-external/1',
      evaluator: 't',
      cases: { [c.id]: { instances: [{}] } },
    },
    'e',
  );
  assert.throws(() => applyExternal(c, builtIn, bad, 'e'), /has 1 instances but the case has 2/);
  assert.throws(() => parseExternalScores({ format: 'other' }, 'e.json'), /e\.json: format/);
});
