/**
 * The committed identity network on held-out identities (never trained on): a reference scores
 * higher against its own instance than against a blurred copy of it or another identity, the
 * calibrated threshold separates them, and a network the calibration was not fitted for is
 * refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAtlas } from '@contextgen/dataset';
import { blurredTarget } from '../eval/calibrate.ts';
import { assertCalibratedNet, loadCalibration, locate } from '../eval/evaluators.ts';
import type { Located } from '../eval/evaluators.ts';
import { ImagePyramid } from '../eval/localise.ts';
import { CaseRenderer } from '../sets/render-case.ts';
import { loadSet } from '../sets/set-files.ts';
import { IdentityNet, similarityOfLogit } from './identity-net.ts';

test('similarity is 100 * sigmoid(logit)', () => {
  assert.equal(similarityOfLogit(0), 50);
  assert.ok(Math.abs(similarityOfLogit(Math.log(3)) - 75) < 1e-9);
});

test('held-out cases: genuine pairs pass, blurred and other-identity pairs fail', async () => {
  const net = await IdentityNet.load();
  const cal = loadCalibration();
  try {
    assertCalibratedNet(cal, net);
    const set = loadSet('heldout');
    const renderer = new CaseRenderer(loadAtlas(), set);
    const genuine: Located[] = [];
    const blurred: Located[] = [];
    const other: Located[] = [];
    for (const c of set.cases.filter((c) => c.level === 3).slice(0, 4)) {
      const r = renderer.render(c);
      const pyr = new ImagePyramid(r.target);
      r.boxes.forEach((box, j) => {
        genuine.push(locate(pyr, r.references[j]!, box));
        blurred.push(locate(new ImagePyramid(blurredTarget(r.target, box)), r.references[j]!, box));
        // another instance's reference searched at this instance's box
        other.push(locate(pyr, r.references[(j + 1) % r.boxes.length]!, box));
      });
    }
    const t = cal.identity.threshold;
    const share = (v: number[], pass: boolean) =>
      v.filter((s) => s >= t === pass).length / v.length;
    const g = await net.similarities(genuine);
    const b = await net.similarities(blurred);
    const o = await net.similarities(other);
    assert.equal(g.length, 12);
    assert.ok(share(g, true) >= 0.75, `genuine pass ${g.map((s) => s.toFixed(0))}`);
    assert.ok(share(b, false) >= 0.75, `blurred fail ${b.map((s) => s.toFixed(0))}`);
    assert.ok(share(o, false) >= 0.75, `other identity fail ${o.map((s) => s.toFixed(0))}`);
    const mean = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;
    assert.ok(mean(g) > mean(b) + 20 && mean(g) > mean(o) + 20);
    assert.deepEqual(await net.similarities([]), []);
  } finally {
    await net.dispose();
  }
  assert.throws(
    () =>
      assertCalibratedNet({ identity: { ...cal.identity, sha256: '0'.repeat(64) } }, {
        sha256: 'f'.repeat(64),
        path: 'x.onnx',
      } as IdentityNet),
    /not the identity network the calibration was fitted with/,
  );
});

test('a missing network file names the command that trains it', async () => {
  await assert.rejects(
    IdentityNet.load('/nonexistent/identity-net.onnx'),
    /contextgen_ident\.train/,
  );
});
