import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createImage, maskBoundingBox, resizeMask } from './image-ops.ts';
import { composeLayout, layoutToModelSpace } from './layout.ts';
import { prepareReference } from './reference.ts';
import { alphaToMask, binarizeMask, isSubject, SUBJECT_MIN } from './subject-rule.ts';
import type { RgbaImage } from './types.ts';

/** A 4x1 image whose alphas are 0, 127, 128 and 255 (red everywhere). */
function ramp(): RgbaImage {
  const img = createImage(4, 1);
  [0, 127, 128, 255].forEach((a, i) => img.data.set([255, 0, 0, a], i * 4));
  return img;
}

test('alpha below half coverage is background, at or above is the subject (as the official 0.5 binarize)', () => {
  assert.equal(SUBJECT_MIN, 128);
  assert.deepEqual([0, 1, 127, 128, 255].map(isSubject), [false, false, false, true, true]);
  assert.deepEqual(Array.from(alphaToMask(ramp()).data), [0, 0, 255, 255]);
  const graded = { width: 3, height: 1, data: new Uint8Array([40, 127, 129]) };
  assert.deepEqual(Array.from(binarizeMask(graded).data), [0, 0, 255]);
  // a graded mask resizes by the same rule (identity size keeps the binarized values)
  assert.deepEqual(Array.from(resizeMask(graded, 3, 1).data), [0, 0, 255]);
});

test('the layout and the reference tokens follow the rule', () => {
  const img = ramp();
  // A user layout image with soft alpha: only alpha >= 128 is content in model space.
  const space = layoutToModelSpace(img);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => space[i * 3]),
    [0, 0, 1, 1],
  );
  // A reference whose mask is its raw alpha: faint pixels are neither pasted nor tokens.
  const ref = {
    image: img,
    mask: { width: 4, height: 1, data: new Uint8Array([0, 127, 128, 255]) },
  };
  const layout = composeLayout(4, 1, [{ box: [0, 0, 4, 1], reference: ref, resize: 'stretch' }]);
  const pastedAlpha = [0, 1, 2, 3].map((i) => layout.data[i * 4 + 3]);
  assert.deepEqual(pastedAlpha, [0, 0, 255, 255]);
  // ...and the reference tokens are exactly those of the same cutout with the faint pixel cleared.
  const limits = { tokenSize: 1, refArea: 4, refMaxSide: 4 };
  const cleared = { width: 4, height: 1, data: new Uint8Array([0, 0, 128, 255]) };
  const a = prepareReference(ref, limits);
  const b = prepareReference({ image: img, mask: cleared }, limits);
  assert.ok(a && b);
  assert.deepEqual(a.grid, b.grid);
  assert.deepEqual(Array.from(a.pixels), Array.from(b.pixels));
  assert.deepEqual(maskBoundingBox(ref.mask), { x: 2, y: 0, width: 2, height: 1 });
});
