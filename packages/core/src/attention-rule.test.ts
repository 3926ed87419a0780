import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowed } from './attention-rule.ts';
import { denseMask, maskRows } from './dense-mask.ts';
import { denseReference } from './dense-reference.ts';
import { planTokens } from './token-plan.ts';
import { randomPlanInput } from './random-plans.test-util.ts';
import { SEG } from './types.ts';

const tok = (seg: number, inst = -1, cover = 0, valid = 1) => ({ seg, inst, cover, valid });

test('main tokens read covering references only in ICA layers, and only valid tokens', () => {
  const main = tok(SEG.MAIN, -1, 0b101);
  assert.equal(allowed(main, tok(SEG.REF, 2), 'ica'), true);
  assert.equal(allowed(main, tok(SEG.REF, 2), 'cla'), false);
  assert.equal(allowed(main, tok(SEG.REF, 1), 'ica'), false);
  assert.equal(allowed(main, tok(SEG.REF, 0, 0, 0), 'ica'), false);
  assert.equal(allowed(main, tok(SEG.PHRASE, 0), 'cla'), true);
  assert.equal(allowed(main, tok(SEG.PHRASE, 1), 'ica'), false);
});

test('text, layout, reference, phrase and pad rows', () => {
  for (const q of [tok(SEG.TEXT), tok(SEG.LAYOUT)]) {
    assert.equal(allowed(q, tok(SEG.MAIN), 'ica'), true);
    assert.equal(allowed(q, tok(SEG.REF, 0), 'ica'), false);
    assert.equal(allowed(q, tok(SEG.PHRASE, 0), 'cla'), false);
  }
  const ref = tok(SEG.REF, 1, 0, 0); // an invalid ref row still reads text and valid ref_1
  assert.equal(allowed(ref, tok(SEG.TEXT), 'cla'), true);
  assert.equal(allowed(ref, tok(SEG.REF, 1), 'cla'), true);
  assert.equal(allowed(ref, tok(SEG.REF, 1, 0, 0), 'cla'), false);
  assert.equal(allowed(ref, tok(SEG.MAIN), 'ica'), false);
  assert.equal(allowed(tok(SEG.PHRASE, 3), tok(SEG.PHRASE, 3), 'cla'), true);
  assert.equal(allowed(tok(SEG.PHRASE, 3), tok(SEG.TEXT), 'cla'), false);
  assert.equal(allowed(tok(SEG.PAD, -1, 0, 0), tok(SEG.PAD, -1, 0, 0), 'cla'), true);
  assert.equal(allowed(tok(SEG.MAIN), tok(SEG.PAD, -1, 0, 0), 'cla'), false);
});

test('descriptor rule agrees with the hand-written dense reference on 200 random plans', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const input = randomPlanInput(seed);
    const plan = planTokens(input);
    const ref = denseReference(input);
    const d = plan.descriptors;
    const msg = `seed ${seed}: ${JSON.stringify(input)}`;
    assert.deepEqual(Array.from(d.seg), ref.seg, msg);
    assert.deepEqual(Array.from(d.inst), ref.inst, msg);
    assert.deepEqual(Array.from(d.cover), ref.cover, msg);
    assert.deepEqual(Array.from(d.valid), ref.valid, msg);
    assert.deepEqual(Array.from(plan.pos), ref.pos.flat(), msg);
    assert.deepEqual(maskRows(denseMask(d, 'cla'), plan.length), ref.cla, msg);
    assert.deepEqual(maskRows(denseMask(d, 'ica'), plan.length), ref.ica, msg);
  }
});

test('without phrases and ICA the masks differ exactly by main->ref entries', () => {
  const input = randomPlanInput(7);
  const plan = planTokens({ ...input, phraseTokens: input.phraseTokens.map(() => 0) });
  const cla = denseMask(plan.descriptors, 'cla');
  const ica = denseMask(plan.descriptors, 'ica');
  const n = plan.length;
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      if (cla[q * n + k] !== ica[q * n + k]) {
        assert.equal(plan.descriptors.seg[q], SEG.MAIN);
        assert.equal(plan.descriptors.seg[k], SEG.REF);
      }
    }
  }
});
