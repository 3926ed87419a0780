import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debugTokens } from './debug-tokens.ts';
import { planTokens } from './token-plan.ts';

test('debug data: segments, positions and 0/1 mask rows of the right shape', () => {
  const plan = planTokens({
    width: 16,
    height: 16,
    tokenSize: 8,
    textTokens: 1,
    phraseTokens: [1],
    boxes: [[0, 0, 8, 8]],
    refGrids: [{ h: 1, w: 1, valid: [1] }],
  });
  const dbg = debugTokens(plan);
  assert.equal(dbg.pos.length, plan.length);
  assert.equal(dbg.cla.length, plan.length);
  assert.ok(dbg.ica.every((r) => r.length === plan.length && r.every((v) => v === 0 || v === 1)));
  // main token 0 (index 2) is covered by box 0: reads ref_0 (last token) in ICA only
  const last = plan.length - 1;
  assert.equal(dbg.ica[2]![last], 1);
  assert.equal(dbg.cla[2]![last], 0);
  assert.deepEqual(dbg.pos[last], [1, 2, 2]);
  assert.deepEqual(
    dbg.segments.map((s) => s.name),
    ['text', 'phrase_0', 'main', 'layout', 'ref_0'],
  );
  assert.doesNotThrow(() => JSON.stringify(dbg));
});
