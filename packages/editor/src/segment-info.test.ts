import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importSegmentInfoToEditor } from './segment-info.ts';

test('segment_info.json becomes assets, boxes, phrases and the prompt', () => {
  const json = {
    caption: 'a cat and a dog on a beach',
    width: 512,
    instances: [
      { image: 'refs/cat.png', bbox: [0, 0, 200, 300], label: 'cat', phrase: 'a grey cat' },
      { image: 'dog.png', bbox: [250, 100, 500, 400], label: 'dog' },
      { image: 'refs/cat.png', bbox: [10, 10, 50, 50], label: 'cat' },
      { image: 'missing.png', bbox: [0, 0, 10, 10] },
    ],
  };
  const images = new Map([
    ['cat.png', { src: 'data:cat', width: 64, height: 64 }],
    ['dog.png', { src: 'data:dog', width: 32, height: 48 }],
  ]);
  const { state, missing } = importSegmentInfoToEditor(json, images);
  assert.equal(state.settings.prompt, 'a cat and a dog on a beach');
  assert.equal(state.settings.height, 512);
  assert.equal(state.assets.length, 2, 'the same file is one asset');
  assert.deepEqual(state.instances[0]?.box, { x1: 0, y1: 0, x2: 200, y2: 300 });
  assert.equal(state.instances[0]?.phrase, 'a grey cat');
  assert.equal(state.instances[1]?.phrase, 'dog');
  assert.equal(state.instances[2]?.assetId, state.instances[0]?.assetId);
  assert.equal(state.instances[3]?.assetId, null);
  assert.deepEqual(missing, ['missing.png']);
});

test('a malformed segment_info names the field', () => {
  assert.throws(
    () =>
      importSegmentInfoToEditor(
        { caption: 'x', width: 64, instances: [{ bbox: [1, 2] }] },
        new Map(),
      ),
    /segment_info\.instances\[0\]\.bbox/,
  );
});
