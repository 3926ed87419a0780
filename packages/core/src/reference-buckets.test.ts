import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketBase, bucketSize, prepareReference, type ReferenceSizing } from './reference.ts';
import type { ReferenceCutout } from './types.ts';

const PUBLISHED: Extract<ReferenceSizing, { rule: 'shorter-side-buckets' }> = {
  rule: 'shorter-side-buckets',
  tokenSize: 16,
  buckets: [
    { maxShorterSide: 384, base: 256 },
    { maxShorterSide: 512, base: 384 },
    { maxShorterSide: 768, base: 512 },
    { maxShorterSide: 1024, base: 768 },
  ],
  largestBase: 1024,
  multiple: 16,
};

test('the base comes from the output shorter side (official buckets, edges included)', () => {
  const cases: [number, number, number][] = [
    [384, 2000, 256],
    [400, 385, 384],
    [512, 512, 384],
    [513, 900, 512],
    [768, 768, 512],
    [1024, 1024, 768],
    [1040, 1536, 1024],
  ];
  for (const [w, h, base] of cases) assert.equal(bucketBase(w, h, PUBLISHED), base, `${w}x${h}`);
});

test('sizes keep area ~ base^2 and round each side up to 16 after truncation (uniform_resize_16x)', () => {
  // k = sqrt(256^2 / (100*50)) = 3.6204; 362.04 -> 362 -> 368; 181.02 -> 181 -> 192
  assert.deepEqual(bucketSize(100, 50, 256, 16), { w: 368, h: 192 });
  // square: exactly base
  assert.deepEqual(bucketSize(300, 300, 512, 16), { w: 512, h: 512 });
  // extreme aspect: the short side never drops below 16
  assert.deepEqual(bucketSize(4000, 10, 256, 16), { w: 5120, h: 16 });
  for (const [w, h] of [
    [640, 480],
    [77, 1234],
    [1, 1],
  ] as const) {
    const s = bucketSize(w, h, 768, 16);
    assert.equal(s.w % 16, 0);
    assert.equal(s.h % 16, 0);
  }
});

function cornerCutout(w: number, h: number): ReferenceCutout {
  const data = new Uint8ClampedArray(w * h * 4).fill(200);
  const mask = new Uint8Array(w * h);
  // subject only in the top-left quarter
  for (let y = 0; y < h / 2; y++) for (let x = 0; x < w / 2; x++) mask[y * w + x] = 255;
  return { image: { width: w, height: h, data }, mask: { width: w, height: h, data: mask } };
}

test('the bucket rule does not crop: the whole reference is resized and only masked tokens are valid', () => {
  const ref = cornerCutout(64, 32);
  const p = prepareReference(ref, PUBLISHED, { width: 256, height: 256 })!;
  // base 256 for a 256 canvas: 362x181 -> 368x192 -> 23x12 tokens
  assert.deepEqual([p.grid.w, p.grid.h], [23, 12]);
  assert.deepEqual([p.image.width, p.image.height], [368, 192]);
  // tokens in the right half / bottom half hold no subject
  assert.equal(p.grid.valid[0], 1);
  assert.equal(p.grid.valid[p.grid.w - 1], 0);
  assert.equal(p.grid.valid[(p.grid.h - 1) * p.grid.w], 0);
  // the grid rule crops the same cutout to its mask (32x16 region)
  const g = prepareReference(ref, { tokenSize: 8, refArea: 512, refMaxSide: 64 })!;
  assert.ok(g.grid.valid.every((v) => v === 1));
});

test('the bucket rule averages when it shrinks a reference (no aliasing of fine detail)', () => {
  const n = 768;
  const data = new Uint8ClampedArray(n * n * 4);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++)
      data.set(x % 2 === 0 ? [0, 0, 0, 255] : [255, 255, 255, 255], (y * n + x) * 4);
  const mask = new Uint8Array(n * n).fill(255);
  const p = prepareReference(
    { image: { width: n, height: n, data }, mask: { width: n, height: n, data: mask } },
    PUBLISHED,
    { width: 256, height: 256 },
  )!;
  assert.deepEqual([p.image.width, p.image.height], [256, 256]);
  // every output pixel covers 3 stripes: 1/3 or 2/3 white, never pure black or white
  for (let i = 0; i < 256; i++) {
    const v = p.image.data[i * 4]!;
    assert.ok(v === 85 || v === 170, `pixel ${i} = ${v}`);
  }
});
