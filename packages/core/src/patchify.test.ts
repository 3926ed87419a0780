import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelSpaceToImage, patchify, unpatchify } from './patchify.ts';

test('patch layout follows the contract: token (ty,tx), element (py*P+px)*3+c', () => {
  const W = 8,
    H = 4,
    P = 2;
  const hwc = Float32Array.from({ length: W * H * 3 }, (_, i) => i);
  const patches = patchify(hwc, W, H, P);
  // pixel (y=3, x=5), channel 2 -> token (1, 2) = row 1*4+2 = 6, element (1*2+1)*3+2 = 11
  assert.equal(patches[6 * 12 + 11], (3 * W + 5) * 3 + 2);
});

test('unpatchify inverts patchify', () => {
  const W = 24,
    H = 16,
    P = 8;
  const hwc = Float32Array.from({ length: W * H * 3 }, (_, i) => Math.sin(i));
  assert.deepEqual(unpatchify(patchify(hwc, W, H, P), W, H, P), hwc);
  assert.throws(() => patchify(hwc, 20, 16, 8), /not a multiple/);
});

test('model space to image rounds and clamps', () => {
  const img = modelSpaceToImage(Float32Array.from([-1, 0, 1, -3, 2, 0.5]), 2, 1);
  assert.deepEqual(Array.from(img.data), [0, 128, 255, 255, 0, 255, 191, 255]);
});
