import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iou, maskBox } from './box.ts';

test('iou of identical, disjoint and half-overlapping boxes', () => {
  assert.equal(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
  assert.equal(iou([0, 0, 10, 10], [10, 0, 20, 10]), 0);
  // overlap 5x10 = 50, union 150
  assert.equal(iou([0, 0, 10, 10], [5, 0, 15, 10]), 50 / 150);
  assert.equal(iou([0, 0, 0, 10], [0, 0, 10, 10]), 0);
});

test('maskBox finds the tight box, null when empty', () => {
  const m = new Uint8Array(5 * 4);
  assert.equal(maskBox(m, 5, 4), null);
  m[1 * 5 + 2] = 255;
  m[3 * 5 + 4] = 1;
  assert.deepEqual(maskBox(m, 5, 4), [2, 1, 5, 4]);
});
