import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMask, fillImage } from './image-ops.ts';
import { layoutToModelSpace } from './layout.ts';
import { generate, prepareGeneration } from './pipeline.ts';
import { RequestError } from './request.ts';
import { CancelledError } from './sampler.ts';
import { TEST_VOCAB, layoutCopyExecutor, testManifest } from './testing.ts';
import type { ReferenceCutout } from './types.ts';

function cutout(rgb: [number, number, number]): ReferenceCutout {
  const image = fillImage(16, 16, [...rgb, 255]);
  const mask = createMask(16, 16);
  mask.data.fill(255);
  return { image, mask };
}

const request = {
  width: 64,
  height: 48,
  prompt: 'a cat on the beach',
  seed: 5,
  instances: [
    { box: [0, 0, 24, 24] as const, reference: 'cat.png', phrase: 'red cat' },
    { box: [30, 10, 60, 40] as const, phrase: 'ball' },
  ],
};
const images = { references: [cutout([200, 50, 50]), undefined] };

test('generate runs end to end; the layout-copy double reproduces the layout image', async () => {
  const exec = layoutCopyExecutor();
  const steps: number[] = [];
  const res = await generate(request, images, exec, {
    vocab: TEST_VOCAB,
    onProgress: (p) => steps.push(p.step),
  });
  assert.equal(res.seed, 5);
  assert.deepEqual([res.image.width, res.image.height], [64, 48]);
  assert.deepEqual(steps, [1, 2, 3, 4]);
  assert.equal(exec.calls.length, 4); // guidance 1: no unconditional pass
  assert.equal(exec.calls[0]!.t, 1);
  // prompt <bos> + 5 words, phrases 3 + 2 = 11 text tokens
  assert.equal(exec.calls[0]!.textTokens, 11);
  const want = layoutToModelSpace(res.layout);
  for (let i = 0; i < 64 * 48; i++) {
    for (let c = 0; c < 3; c++) {
      const got = res.image.data[i * 4 + c]! / 127.5 - 1;
      assert.ok(Math.abs(got - want[i * 3 + c]!) <= 1 / 127.5 + 1e-6, `pixel ${i} channel ${c}`);
    }
  }
  assert.deepEqual(Array.from(res.image.data.subarray(0, 4)), [200, 50, 50, 255]);
  assert.ok(res.timings.totalMs >= res.timings.modelMs);
});

test('same seed, same image; guidance runs an unconditional pass with [<bos>] and no phrases', async () => {
  const a = await generate(request, images, layoutCopyExecutor(), { vocab: TEST_VOCAB });
  const b = await generate(request, images, layoutCopyExecutor(), { vocab: TEST_VOCAB });
  assert.deepEqual(a.image.data, b.image.data);
  const exec = layoutCopyExecutor();
  await generate({ ...request, guidance: 2, steps: 2 }, images, exec, { vocab: TEST_VOCAB });
  assert.deepEqual(
    exec.calls.map((c) => c.textTokens),
    [11, 1, 11, 1],
  );
});

test('a random seed is drawn and reported when none is given', async () => {
  const { seed: _seed, ...noSeed } = request;
  const res = await generate(noSeed, images, layoutCopyExecutor(), { vocab: TEST_VOCAB });
  assert.ok(Number.isInteger(res.seed));
});

test('plan and ids from prepareGeneration', () => {
  const prep = prepareGeneration(request, images, testManifest(), TEST_VOCAB);
  assert.deepEqual(prep.promptIds, [2, 3, 4, 6, 7, 8]);
  assert.deepEqual(prep.phraseIds, [
    [2, 9, 4],
    [2, 10],
  ]);
  assert.deepEqual(prep.uncondIds, [2]);
  assert.deepEqual(
    prep.plan.segments.map((s) => s.name),
    ['text', 'phrase_0', 'phrase_1', 'main', 'layout', 'ref_0'],
  );
});

test('bad inputs: undecoded reference, empty mask, user layout resized with a warning, cancellation', async () => {
  assert.throws(
    () =>
      prepareGeneration(
        request,
        { references: [undefined, undefined] },
        testManifest(),
        TEST_VOCAB,
      ),
    (e: unknown) => e instanceof RequestError && e.field === 'instances[0].reference',
  );
  const empty = { image: fillImage(8, 8, [1, 2, 3, 255]), mask: createMask(8, 8) };
  assert.throws(
    () =>
      prepareGeneration(request, { references: [empty, undefined] }, testManifest(), TEST_VOCAB),
    /instances\[0\]\.reference: the cutout mask is empty/,
  );
  const prep = prepareGeneration(
    request,
    { ...images, layout: fillImage(32, 24, [9, 9, 9, 255]) },
    testManifest(),
    TEST_VOCAB,
  );
  assert.match(prep.warnings.join('\n'), /layoutImage is 32x24; resized/);
  const ctrl = new AbortController();
  ctrl.abort();
  await assert.rejects(
    generate(request, images, layoutCopyExecutor(), { vocab: TEST_VOCAB, signal: ctrl.signal }),
    CancelledError,
  );
});

test('too many tokens names the counts and the fix', () => {
  const small = testManifest({ limits: { ...testManifest().limits, maxTokens: 64 } });
  assert.throws(
    () => prepareGeneration(request, images, small, TEST_VOCAB),
    /needs \d+ tokens .* at most 64; use a smaller canvas/,
  );
});
