import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GenerationRequestSchema } from '@contextgen/core';
import { Editor } from './editor.ts';
import { missingUploads, toGenerationRequest } from './request.ts';
import { createEditorState } from './state.ts';

function setup(): Editor {
  const e = new Editor(createEditorState({ prompt: 'two pets', seed: 99, steps: 6 }));
  e.dispatch('addAsset', { id: 'a', name: 'cat', width: 10, height: 10, src: 'data:,' });
  e.dispatch('addAsset', { id: 'b', name: 'dog', width: 10, height: 10, src: 'data:,' });
  e.dispatch('addInstance', { assetId: 'b', id: 'top', box: { x1: 10, y1: 10, x2: 50, y2: 50 } });
  e.dispatch('addInstance', {
    assetId: 'a',
    id: 'low',
    box: { x1: 0, y1: 0, x2: 100, y2: 100 },
    phrase: '  a cat ',
  });
  e.dispatch('sendToBack');
  return e;
}

test('missingUploads lists placed assets without an upload id', () => {
  const e = setup();
  assert.deepEqual(
    missingUploads(e.state)
      .map((a) => a.id)
      .sort(),
    ['a', 'b'],
  );
  assert.throws(() => toGenerationRequest(e.state), /"cat" is not uploaded yet/);
});

test("setAssetUpload takes the server's cutout only for an asset without one of its own", () => {
  const e = setup();
  e.dispatch('setAssetCutout', {
    id: 'a',
    cutoutSrc: 'data:own-cutout',
    maskSrc: 'data:own-mask',
    maskSource: 'alpha',
  });
  const server = (id: string) => ({
    cutoutSrc: `/api/uploads/${id}/cutout.png`,
    maskSrc: `/api/uploads/${id}/mask.png`,
    maskSource: 'auto' as const,
  });
  e.dispatch('setAssetUpload', { id: 'a', uploadId: 'upl_a', serverCutout: server('upl_a') });
  e.dispatch('setAssetUpload', { id: 'b', uploadId: 'upl_b', serverCutout: server('upl_b') });
  const [a, b] = e.state.assets;
  assert.deepEqual(
    [a?.uploadId, a?.cutoutSrc, a?.maskSrc, a?.maskSource],
    ['upl_a', 'data:own-cutout', 'data:own-mask', 'alpha'],
  );
  assert.deepEqual(
    [b?.uploadId, b?.cutoutSrc, b?.maskSrc, b?.maskSource],
    ['upl_b', '/api/uploads/upl_b/cutout.png', '/api/uploads/upl_b/mask.png', 'auto'],
  );
  assert.deepEqual(missingUploads(e.state), []);
});

test('toGenerationRequest gives a valid core request in paint order with upload ids', () => {
  const e = setup();
  e.dispatch('setAssetUpload', { id: 'a', uploadId: 'upl_a' });
  e.dispatch('setAssetUpload', { id: 'b', uploadId: 'upl_b' });
  const req = toGenerationRequest(e.state, 'tiny');
  assert.ok(GenerationRequestSchema.safeParse(req).success);
  assert.deepEqual(
    req.instances.map((i) => i.reference),
    ['upl_a', 'upl_b'],
  );
  assert.deepEqual(req.instances[0]?.box, [0, 0, 100, 100]);
  assert.equal(req.instances[0]?.phrase, 'a cat');
  assert.equal(req.seed, 99);
  assert.equal(req.steps, 6);
  assert.equal(req.model, 'tiny');
  e.dispatch('setSettings', { seed: null });
  assert.equal(
    'seed' in toGenerationRequest(e.state),
    false,
    'a random seed is left to the server',
  );
});
