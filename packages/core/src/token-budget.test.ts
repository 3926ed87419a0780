import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createMask, fillImage } from './image-ops.ts';
import { prepareGeneration } from './pipeline.ts';
import { TEST_VOCAB, testManifest } from './testing.ts';
import {
  describeTokenCount,
  maxReferenceTokens,
  referenceTokenCount,
  requestTokenCount,
  runnableCanvas,
} from './token-budget.ts';
import type { ReferenceCutout } from './types.ts';

/** A cutout whose mask is a `w x h` rectangle inside a larger image. */
function cutout(w: number, h: number): ReferenceCutout {
  const image = fillImage(w + 6, h + 4, [120, 60, 30, 255]);
  const mask = createMask(w + 6, h + 4);
  for (let y = 2; y < 2 + h; y++) for (let x = 3; x < 3 + w; x++) mask.data[y * (w + 6) + x] = 255;
  return { image, mask };
}

const WORDS = ['a', 'cat', 'dog', 'on', 'the', 'red', 'zebra-unknown', 'beach'];

test('requestTokenCount equals the plan length prepareGeneration builds (random requests)', () => {
  const manifest = testManifest({
    limits: {
      maxInstances: 8,
      minSide: 32,
      maxSide: 128,
      maxTokens: 100_000,
      refArea: 1024,
      refMaxSide: 48,
      maxTextTokens: 16,
      maxPhraseTokens: 4,
    },
  });
  const text = fc.array(fc.constantFrom(...WORDS), { maxLength: 30 }).map((w) => w.join(' '));
  const instance = fc.record({
    phrase: fc.option(text, { nil: undefined }),
    ref: fc.option(fc.tuple(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 90 })), {
      nil: undefined,
    }),
  });
  fc.assert(
    fc.property(
      fc.integer({ min: 28, max: 131 }),
      fc.integer({ min: 28, max: 131 }),
      text,
      fc.array(instance, { maxLength: 6 }),
      (width, height, prompt, insts) => {
        const request = {
          width,
          height,
          prompt,
          instances: insts.map((i, j) => ({
            box: [0, 0, 16, 16] as [number, number, number, number],
            ...(i.phrase !== undefined ? { phrase: i.phrase } : {}),
            ...(i.ref ? { reference: `r${j}.png` } : {}),
          })),
        };
        const images = { references: insts.map((i) => (i.ref ? cutout(...i.ref) : undefined)) };
        const prep = prepareGeneration(request, images, manifest, TEST_VOCAB);
        const count = requestTokenCount(
          {
            width,
            height,
            prompt,
            instances: insts.map((i) => ({
              ...(i.phrase !== undefined ? { phrase: i.phrase } : {}),
              ...(i.ref ? { reference: { width: i.ref[0], height: i.ref[1] } } : {}),
            })),
          },
          manifest,
        );
        assert.equal(count.total, prep.plan.length);
        assert.equal(count.text + count.phrases, prep.plan.textLength);
        assert.equal(count.image + count.references, prep.plan.imageLength);
        assert.equal(count.upperBound, false);
      },
    ),
    { numRuns: 150 },
  );
});

test('an unknown reference counts the largest grid any crop can get', () => {
  const manifest = testManifest();
  const bound = maxReferenceTokens(manifest);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 500 }), (w, h) => {
      assert.ok(referenceTokenCount({ width: w, height: h }, manifest) <= bound);
    }),
    { numRuns: 300 },
  );
  assert.equal(referenceTokenCount('unknown', manifest), bound);
  const c = requestTokenCount(
    { width: 64, height: 64, prompt: '', instances: [{ reference: 'unknown' }] },
    manifest,
  );
  assert.equal(c.upperBound, true);
  assert.equal(c.references, bound);
});

test('a 256x256 canvas on a 2,048-token model with 8 px tokens needs 2,049 tokens and does not fit', () => {
  const manifest = testManifest({
    limits: {
      maxInstances: 8,
      minSide: 64,
      maxSide: 256,
      maxTokens: 2048,
      refArea: 4096,
      refMaxSide: 96,
      maxTextTokens: 32,
      maxPhraseTokens: 6,
    },
  });
  const c = requestTokenCount({ width: 256, height: 256, prompt: '', instances: [] }, manifest);
  assert.equal(c.total, 2049);
  assert.equal(c.fits, false);
  assert.match(describeTokenCount(c), /needs 2049 tokens .* at most 2048/);
  const canvas = runnableCanvas(manifest);
  // 1,023 main tokens at most: a square of 31x31 tokens (248 px) fits, 32x32 does not.
  assert.equal(canvas.maxCanvasTokens, 1023);
  assert.equal(canvas.maxSquareSide, 248);
  assert.equal(canvas.maxSide, 256); // 256x64 (32x8 tokens = 256 main) still fits
  const square = canvas.maxSquareSide;
  assert.ok(
    requestTokenCount({ width: square, height: square, prompt: '', instances: [] }, manifest).fits,
  );
  assert.ok(
    requestTokenCount(
      { width: canvas.maxSide, height: manifest.limits.minSide, prompt: '', instances: [] },
      manifest,
    ).fits,
  );
});
