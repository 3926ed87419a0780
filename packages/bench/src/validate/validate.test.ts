/**
 * The evaluator validations on a small fixed subset of the held-out set (the full figures come
 * from `bench validate`; criteria here are the same except a little slack for 8 cases).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAtlas } from '@contextgen/dataset';
import { loadCalibration } from '../eval/evaluators.ts';
import { IdentityNet } from '../ident/identity-net.ts';
import { loadSet } from '../sets/set-files.ts';
import { validateEvaluators } from './validate.ts';

test('evaluators pass their validations on 8 held-out cases', async () => {
  const set = loadSet('heldout');
  // two cases per level L2..L5 (spread over the set, ids fixed)
  const pick = set.cases
    .filter((c) => c.level <= 5 && Number(c.id.slice(-3)) % 80 === 7)
    .slice(0, 8);
  const net = await IdentityNet.load();
  const v = await validateEvaluators(loadAtlas(), { ...set, cases: pick }, loadCalibration(), net);
  await net.dispose();
  assert.equal(v.cases, 8);
  assert.ok(
    v.groundTruthLocaliserMiou >= 0.8,
    `localiser mIoU on ground truth ${v.groundTruthLocaliserMiou}`,
  );
  assert.ok(
    v.groundTruthIdentityPass >= 0.85,
    `identity verification on ground truth ${v.groundTruthIdentityPass}`,
  );
  assert.ok(v.swappedIdentityFail >= 0.75, `swapped identities fail ${v.swappedIdentityFail}`);
  assert.ok(v.blurredIdentityFail >= 0.75, `blurred ground truth fails ${v.blurredIdentityFail}`);
  // the full held-out set allows 2%; on 8 cases at most one instance
  assert.ok(v.blank.iSR * v.instances <= 1, `blank I-SR ${v.blank.iSR}`);
  assert.ok(v.noise.iSR * v.instances <= 1, `noise I-SR ${v.noise.iSR}`);
  assert.equal(v.blank.SR, 0);
  assert.equal(v.noise.SR, 0);
  assert.equal(v.groundTruth.copyPaste, 0);
  assert.equal(v.layout.copyPaste, 1);
  assert.ok(v.groundTruth.scene >= 0.75, `scene adherence on ground truth ${v.groundTruth.scene}`);
  assert.ok(v.groundTruth.iSR > v.layout.iSR || v.groundTruth.mIoU > 0.7);
});
