import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyMask,
  createImage,
  createMask,
  cropImage,
  cropMask,
  fillImage,
  maskBoundingBox,
  pasteWithMask,
  resizeImage,
  resizeMask,
} from './image-ops.ts';
import { alphaToMask } from './subject-rule.ts';

function gradient(w: number, h: number): ReturnType<typeof createImage> {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) img.data.set([x * 10, y * 10, 100, 255], (y * w + x) * 4);
  return img;
}

test('bilinear resize keeps constants and interpolates a ramp at half-pixel centres', () => {
  const flat = fillImage(5, 3, [10, 20, 30, 255]);
  const big = resizeImage(flat, 13, 7);
  for (let i = 0; i < 13 * 7; i++)
    assert.deepEqual(Array.from(big.data.subarray(i * 4, i * 4 + 4)), [10, 20, 30, 255]);
  // 2 -> 4 pixels: output centres at input positions -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1)
  const ramp = createImage(2, 1);
  ramp.data.set([0, 0, 0, 255, 100, 0, 0, 255]);
  const up = resizeImage(ramp, 4, 1);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => up.data[i * 4]),
    [0, 25, 75, 100],
  );
});

test('area resize averages exact blocks', () => {
  const img = gradient(4, 4);
  const small = resizeImage(img, 2, 2, 'area');
  // top-left 2x2 block has x in {0,10}, y in {0,10} -> mean 5
  assert.deepEqual(Array.from(small.data.subarray(0, 4)), [5, 5, 100, 255]);
  assert.deepEqual(Array.from(small.data.subarray(12, 16)), [25, 25, 100, 255]);
});

test('mask resize thresholds at 0.5', () => {
  const m = createMask(4, 1);
  m.data.set([0, 0, 255, 255]);
  assert.deepEqual(Array.from(resizeMask(m, 8, 1).data), [0, 0, 0, 0, 255, 255, 255, 255]);
  assert.deepEqual(Array.from(resizeMask(m, 2, 1).data), [0, 255]);
});

test('crop, bounding box, alpha to mask and paste', () => {
  const img = gradient(6, 5);
  const c = cropImage(img, { x: 2, y: 1, width: 3, height: 2 });
  assert.deepEqual(Array.from(c.data.subarray(0, 4)), [20, 10, 100, 255]);
  assert.throws(() => cropImage(img, { x: 4, y: 0, width: 3, height: 1 }), /not inside the 6x5/);

  const m = createMask(6, 5);
  assert.equal(maskBoundingBox(m), null);
  m.data[1 * 6 + 2] = 128;
  m.data[3 * 6 + 4] = 200;
  m.data[4 * 6 + 5] = 127; // under half coverage: background, outside the box
  assert.deepEqual(maskBoundingBox(m), { x: 2, y: 1, width: 3, height: 3 });
  assert.equal(cropMask(m, { x: 2, y: 1, width: 3, height: 3 }).data[8], 200);

  const withAlpha = applyMask(img, m);
  const back = alphaToMask(withAlpha);
  assert.deepEqual(
    Array.from(back.data),
    Array.from(m.data).map((v) => (v >= 128 ? 255 : 0)),
  );

  const target = createImage(4, 4);
  const src = fillImage(2, 2, [9, 8, 7, 10]);
  const pm = createMask(2, 2);
  pm.data.set([255, 0, 0, 255]);
  pasteWithMask(target, src, pm, 3, 3); // only (0,0) of src lands inside at (3,3)
  assert.deepEqual(Array.from(target.data.subarray(60, 64)), [9, 8, 7, 255]);
  assert.equal(
    target.data.reduce((s, v) => s + v, 0),
    9 + 8 + 7 + 255,
  );
});
