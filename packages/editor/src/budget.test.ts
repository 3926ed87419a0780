import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultCanvas,
  formatBudget,
  generateBlocker,
  largestSquareSide,
  snapCanvasSide,
  tokenBudget,
  type ModelBudgetLimits,
} from './budget.ts';
import { Editor } from './editor.ts';
import { createEditorState } from './state.ts';

/** The shipped embedded model's limits (models/embedded/model.json). */
const EMBEDDED: ModelBudgetLimits = {
  tokenSize: 8,
  maxTokens: 2048,
  refArea: 4096,
  refMaxSide: 96,
  maxTextTokens: 32,
  maxPhraseTokens: 6,
  maxInstances: 8,
  minSide: 64,
  maxSide: 256,
};

function withRefs(width: number, n: number): Editor {
  const e = new Editor(createEditorState({ width, height: width, prompt: 'a cat and a dog' }));
  for (let k = 0; k < n; k++) {
    e.dispatch('addAsset', { id: `a${k}`, name: 'cat.png', width: 64, height: 64, src: 'x' });
    e.dispatch('addInstance', { assetId: `a${k}` });
  }
  return e;
}

test('the budget counts canvas + layout, references, prompt and phrases', () => {
  const e = withRefs(128, 2);
  const b = tokenBudget(e.state, EMBEDDED);
  assert.equal(b.canvas, 2 * 16 * 16);
  assert.equal(b.references, 2 * 64, 'a square reference takes refArea / P² = 64 tokens');
  // prompt: <bos> + 5 words; phrases "cat": <bos> + 1 each
  assert.equal(b.text, 6 + 2 * 2);
  assert.equal(b.used, 512 + 128 + 10);
  assert.equal(formatBudget(b), '650 / 2,048 tokens');
  assert.equal(formatBudget({ used: 1420, max: 2048 }), '1,420 / 2,048 tokens');
});

test('a phrase-only box costs its phrase, no reference', () => {
  const e = new Editor(createEditorState({ width: 64, height: 64, prompt: '' }));
  e.dispatch('addInstance', { assetId: null, phrase: 'a red ball on grass today' });
  const b = tokenBudget(e.state, EMBEDDED);
  assert.equal(b.references, 0);
  assert.equal(b.text, 1 + 6, 'prompt <bos> + the phrase cut at maxPhraseTokens');
});

test('the old default (256x256) is over budget with one reference: Generate is blocked, with the fix', () => {
  const e = withRefs(256, 1);
  const reason = generateBlocker(e.state, EMBEDDED);
  assert.match(reason ?? '', /^Too many tokens: 2,120 \/ 2,048 tokens/);
  assert.match(reason ?? '', /248×248 fits one reference/);
  e.dispatch('resizeCanvas', { width: 248, height: 248 });
  assert.equal(generateBlocker(e.state, EMBEDDED), undefined);
});

test('the default canvas holds the model maximum of references at their largest', () => {
  const side = largestSquareSide(EMBEDDED, 8);
  assert.deepEqual(defaultCanvas(EMBEDDED), { width: side, height: side });
  assert.equal(side, 208);
  // 8 references of the largest grid any aspect gets (72 tokens), full phrases and prompt fit
  assert.ok(2 * 26 * 26 + 8 * (72 + 6) + 32 <= 2048);
  assert.ok(2 * 27 * 27 + 8 * (72 + 6) + 32 > 2048, 'and the next size up would not');
  const e = withRefs(side, 8);
  assert.equal(generateBlocker(e.state, EMBEDDED), undefined);
});

test('too many boxes and no model block Generate with the reason', () => {
  assert.match(generateBlocker(withRefs(64, 0).state, undefined) ?? '', /Not connected/);
  const e = withRefs(64, 9);
  assert.match(generateBlocker(e.state, EMBEDDED) ?? '', /9 boxes; this model takes at most 8/);
});

test('typed canvas sides snap to the token size inside the model range', () => {
  assert.equal(snapCanvasSide(1, EMBEDDED), 64);
  assert.equal(snapCanvasSide(12, EMBEDDED), 64);
  assert.equal(snapCanvasSide(130, EMBEDDED), 128);
  assert.equal(snapCanvasSide(133, EMBEDDED), 136);
  assert.equal(snapCanvasSide(9999, EMBEDDED), 256);
  assert.equal(snapCanvasSide(Number.NaN, EMBEDDED), 64);
});
