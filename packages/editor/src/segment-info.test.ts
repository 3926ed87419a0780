import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binarizeAlpha,
  describeSegmentInfoEntry,
  importSegmentInfoToEditor,
  segmentInfoEntries,
} from './segment-info.ts';
import { DEFAULT_SETTINGS } from './state.ts';

const example = {
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
const settings512 = { ...DEFAULT_SETTINGS, width: 512, height: 512 };

test('segment_info.json becomes assets, boxes, phrases and the prompt', () => {
  const { document, missing, frame } = importSegmentInfoToEditor(example, images, settings512);
  assert.equal(document.settings.prompt, 'a cat and a dog on a beach');
  assert.deepEqual(frame, { width: 512, height: 512 }, 'height defaults to width');
  assert.equal(document.assets.length, 2, 'the same file is one asset');
  assert.deepEqual(document.instances[0]?.box, { x1: 0, y1: 0, x2: 200, y2: 300 });
  assert.equal(document.instances[0]?.phrase, 'a grey cat');
  assert.equal(document.instances[1]?.phrase, 'dog');
  assert.equal(document.instances[2]?.assetId, document.instances[0]?.assetId);
  assert.equal(document.instances[3]?.assetId, null);
  assert.deepEqual(missing, ['missing.png']);
});

test('boxes are scaled from the example frame to the chosen canvas', () => {
  const canvas = { ...DEFAULT_SETTINGS, width: 160, height: 128, prompt: 'old' };
  const { document } = importSegmentInfoToEditor(
    { ...example, width: 640, height: 512 },
    images,
    canvas,
  );
  assert.equal(document.settings.width, 160, 'the canvas stays what the user chose');
  assert.equal(document.settings.height, 128);
  // x * 160/640 = x / 4, y * 128/512 = y / 4
  assert.deepEqual(document.instances[1]?.box, { x1: 63, y1: 25, x2: 125, y2: 100 });
  assert.deepEqual(document.instances[3]?.box, { x1: 0, y1: 0, x2: 4, y2: 4 }, 'min side kept');
});

test('the official list format: entries, a chooser line each, the chosen one imported', () => {
  const list = [example, { caption: 'two birds', width: 256, height: 128, instances: [] }];
  assert.equal(segmentInfoEntries(list).length, 2);
  assert.equal(segmentInfoEntries(example).length, 1, 'one object is a list of one');
  assert.equal(
    describeSegmentInfoEntry(list[0], 0),
    '1: a cat and a dog on a beach (4 boxes, 512×512)',
  );
  assert.equal(describeSegmentInfoEntry(list[1], 1), '2: two birds (0 boxes, 256×128)');
  const { document, frame } = importSegmentInfoToEditor(list, images, settings512, 1);
  assert.equal(document.settings.prompt, 'two birds');
  assert.deepEqual(frame, { width: 256, height: 128 });
  assert.throws(() => importSegmentInfoToEditor(list, images, settings512, 2), /no example 3/);
  assert.throws(() => segmentInfoEntries([]), /list is empty/);
});

test('a malformed segment_info names the example and the field', () => {
  assert.throws(
    () =>
      importSegmentInfoToEditor(
        { caption: 'x', width: 64, instances: [{ bbox: [1, 2] }] },
        new Map(),
        settings512,
      ),
    /segment_info\.instances\[0\]\.bbox/,
  );
  assert.throws(
    () =>
      importSegmentInfoToEditor(
        [example, { caption: 'x', width: 64, instances: [{ bbox: [1, 2] }] }],
        new Map(),
        settings512,
        1,
      ),
    /^Error: example 2: segment_info\.instances\[0\]\.bbox/,
  );
});

test('alpha below 0.5 is background, the rest fully opaque', () => {
  const px = new Uint8Array([9, 9, 9, 0, 9, 9, 9, 127, 9, 9, 9, 128, 9, 9, 9, 255]);
  assert.equal(binarizeAlpha(px), 2);
  assert.deepEqual([px[3], px[7], px[11], px[15]], [0, 0, 255, 255]);
  assert.equal(px[4], 9, 'colours untouched');
});
