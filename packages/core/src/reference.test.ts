import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMask, fillImage } from './image-ops.ts';
import { prepareReference, refGrid } from './reference.ts';

const limits = { tokenSize: 8, refArea: 1024, refMaxSide: 48 }; // 16 tokens, at most 6 a side

test('grid matches aspect and area within the side limit', () => {
  assert.deepEqual(refGrid(50, 50, limits), { h: 4, w: 4 });
  assert.deepEqual(refGrid(100, 50, limits), { h: 3, w: 6 });
  assert.deepEqual(refGrid(50, 100, limits), { h: 6, w: 3 });
  assert.deepEqual(refGrid(1000, 10, limits), { h: 1, w: 6 }); // clamped by refMaxSide
  assert.deepEqual(refGrid(3, 3, { tokenSize: 8, refArea: 64, refMaxSide: 64 }), { h: 1, w: 1 });
  assert.throws(() => refGrid(10, 10, { tokenSize: 8, refArea: 64, refMaxSide: 4 }), /refMaxSide/);
});

test('prepared reference: cropped to the mask, background zeroed, valid flags per cell', () => {
  // 40x40 white image; subject = an L shape inside the rect x 10..29, y 10..29 (20x20 crop).
  const image = fillImage(40, 40, [255, 255, 255, 255]);
  image.data.set([0, 0, 0, 255], (10 * 40 + 10) * 4); // one black pixel at the crop's top-left
  const mask = createMask(40, 40);
  for (let y = 10; y < 30; y++) for (let x = 10; x < 20; x++) mask.data[y * 40 + x] = 255; // left column
  for (let y = 20; y < 30; y++) for (let x = 20; x < 30; x++) mask.data[y * 40 + x] = 255; // bottom right
  const prep = prepareReference({ image, mask }, limits)!;
  assert.deepEqual([prep.grid.h, prep.grid.w], [4, 4]);
  assert.deepEqual([prep.image.width, prep.image.height], [32, 32]);
  // top-right quadrant of the crop is empty -> tokens (0,2),(0,3),(1,2),(1,3) invalid
  assert.deepEqual(Array.from(prep.grid.valid), [1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  // inside the mask: white -> 1; outside: 0; the black corner pixel comes through (value < 1)
  assert.equal(prep.pixels[(20 * 32 + 4) * 3], 1);
  assert.equal(prep.pixels[(4 * 32 + 28) * 3], 0);
  assert.ok(prep.pixels[0]! < 0.5);
  assert.equal(prepareReference({ image, mask: createMask(40, 40) }, limits), null);
});
