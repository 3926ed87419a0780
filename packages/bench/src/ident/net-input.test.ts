import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlignedCrop } from '../eval/identity.ts';
import { NET_CHANNELS, NET_PLANE, NET_SIDE, netInputBytes, writeNetInput } from './net-input.ts';

function crop(w: number, h: number, value: number): AlignedCrop {
  const rgb = new Float32Array(w * h * 3).fill(value);
  const mask = new Uint8Array(w * h).fill(1);
  mask[0] = 0; // top-left pixel is background
  return { width: w, height: h, rgb, mask };
}

test('a crop is centred in the square, RGB scaled to 0..1 and masked, then the mask plane', () => {
  const out = new Float32Array(NET_CHANNELS * NET_PLANE).fill(7);
  writeNetInput(crop(20, 10, 255), out);
  const ox = (NET_SIDE - 20) >> 1;
  const oy = (NET_SIDE - 10) >> 1;
  const at = (k: number, x: number, y: number) => out[k * NET_PLANE + y * NET_SIDE + x]!;
  assert.equal(at(0, ox, oy), 0, 'background pixel of the crop stays 0');
  assert.equal(at(3, ox, oy), 0);
  assert.equal(at(1, ox + 1, oy), 1);
  assert.equal(at(3, ox + 1, oy), 1);
  assert.equal(at(2, ox + 19, oy + 9), 1);
  assert.equal(at(0, ox - 1, oy + 2), 0, 'outside the crop is zero (the old contents are cleared)');
  assert.equal(at(3, ox + 20, oy + 2), 0);
  let mask = 0;
  for (let p = 0; p < NET_PLANE; p++) mask += out[3 * NET_PLANE + p]!;
  assert.equal(mask, 20 * 10 - 1);
});

test('bytes are the float tensor times 255 (the training export)', () => {
  const b = netInputBytes(crop(32, 32, 128));
  assert.equal(b.length, NET_CHANNELS * NET_PLANE);
  assert.equal(b[1], 128);
  assert.equal(b[3 * NET_PLANE + 1], 255);
  assert.equal(b[0], 0);
});

test('crops larger than the square are refused', () => {
  assert.throws(() => netInputBytes(crop(33, 8, 0)), /1\.\.32 px a side/);
});
