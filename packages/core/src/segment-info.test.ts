import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RequestError, requestLimits, validateRequest } from './request.ts';
import {
  defaultCanvasFor,
  importSegmentInfo,
  isSegmentInfo,
  scaleRequestCanvas,
  segmentInfoEntryCount,
  segmentInfoFrame,
} from './segment-info.ts';
import { testManifest } from './testing.ts';

const OFFICIAL: unknown = JSON.parse(
  readFileSync(new URL('../test-fixtures/official-segment_info.json', import.meta.url), 'utf8'),
);

function fieldOf(fn: () => unknown): { field: string; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RequestError, `expected RequestError, got ${String(e)}`);
    return { field: e.field, message: e.message };
  }
  assert.fail('expected a RequestError');
}

test('one segment_info example imports into a request', () => {
  const req = importSegmentInfo({
    caption: 'a cat and a dog',
    width: 96,
    layout_image: 'layout.png',
    instances: [
      { image: 'cat.png', bbox: [0, 0, 40, 40], label: 'cat', phrase: 'a grey cat' },
      { image: 'dog.jpg', bbox: [40, 40, 96, 96], label: 'dog', mask: 'dog_mask.png' },
    ],
  });
  assert.equal(req.height, 96);
  assert.equal(req.prompt, 'a cat and a dog');
  assert.equal(req.layoutImage, 'layout.png');
  assert.deepEqual(req.instances[0], {
    box: [0, 0, 40, 40],
    reference: 'cat.png',
    phrase: 'a grey cat',
    label: 'cat',
  });
  assert.deepEqual(req.instances[1], {
    box: [40, 40, 96, 96],
    reference: 'dog.jpg',
    mask: 'dog_mask.png',
    phrase: 'dog',
    label: 'dog',
  });
  const { request } = validateRequest(req, requestLimits(testManifest()));
  assert.equal(request.instances.length, 2);
  assert.equal(
    fieldOf(() => importSegmentInfo({ caption: 'x', instances: [] })).field,
    'segment_info.width',
  );
});

test('the official file (a list of 4 examples) is recognised and each entry imports', () => {
  assert.equal(isSegmentInfo(OFFICIAL), true);
  assert.equal(isSegmentInfo({ prompt: 'x', width: 8, height: 8 }), false);
  assert.equal(isSegmentInfo([]), false);
  assert.equal(segmentInfoEntryCount(OFFICIAL), 4);
  const crab = importSegmentInfo(OFFICIAL, { entry: 3 });
  assert.equal(crab.prompt, 'A crab is holding a leather handbag on sand.');
  assert.deepEqual([crab.width, crab.height], [768, 768]);
  assert.equal(crab.layoutImage, 'crab_handbag/layout_crab_handbag.png');
  assert.deepEqual(crab.instances[0]!.box, [351, 121, 690, 509]);
  assert.equal(crab.instances[1]!.reference, 'crab_handbag/57_leather handbag_masked.png');
  assert.deepEqual(segmentInfoFrame(OFFICIAL, 0), { width: 1024, height: 1024 });
});

test('a list needs an entry; a wrong entry says how many exist', () => {
  let e = fieldOf(() => importSegmentInfo(OFFICIAL));
  assert.equal(e.field, 'segment_info');
  assert.match(e.message, /holds 4 examples \(entries 0\.\.3\); choose one/);
  e = fieldOf(() => importSegmentInfo(OFFICIAL, { entry: 4 }));
  assert.match(e.message, /entry 4 does not exist: the file holds 4 examples \(entries 0\.\.3\)/);
  assert.match(fieldOf(() => importSegmentInfo(OFFICIAL, { entry: -1 })).message, /entry -1/);
  assert.match(fieldOf(() => importSegmentInfo([])).message, /the list is empty/);
  const single = { caption: 'c', width: 8, instances: [] };
  assert.match(
    fieldOf(() => importSegmentInfo(single, { entry: 2 })).message,
    /holds one example \(entry 0\)/,
  );
  assert.equal(importSegmentInfo([single]).prompt, 'c');
  assert.equal(
    fieldOf(() =>
      importSegmentInfo([single, { caption: 'd', width: 8, instances: [{}] }], { entry: 1 }),
    ).field,
    'segment_info[1].instances[0].bbox',
  );
});

test('boxes are scaled from the example frame to the chosen canvas, per axis', () => {
  const req = importSegmentInfo(OFFICIAL, { entry: 2, size: { width: 128, height: 64 } });
  assert.deepEqual([req.width, req.height], [128, 64]);
  // [232, 138, 512, 425] in a 1024 x 1024 frame -> x * 128/1024, y * 64/1024
  assert.deepEqual(req.instances[0]!.box, [29, 9, 64, 27]);
  const same = importSegmentInfo(OFFICIAL, { entry: 2, size: { width: 1024, height: 1024 } });
  assert.deepEqual(same.instances[0]!.box, [232, 138, 512, 425]);
  const scaled = scaleRequestCanvas(
    { width: 100, height: 50, prompt: '', instances: [{ box: [10, 10, 50, 40] }] },
    { width: 200, height: 200 },
  );
  assert.deepEqual(scaled.instances[0]!.box, [20, 40, 100, 160]);
});

test("the model's default canvas keeps the frame's aspect and half the token budget for the canvas", () => {
  const m = testManifest(); // P 8, sides 32..128
  const limits = { ...m.limits, maxTokens: 2048, minSide: 64, maxSide: 256 };
  const emb = { tokenSize: 8, limits };
  const square = defaultCanvasFor({ width: 1024, height: 1024 }, emb);
  assert.deepEqual(square, { width: 176, height: 176 });
  assert.ok(2 * (square.width / 8) * (square.height / 8) <= 1024);
  const wide = defaultCanvasFor({ width: 1024, height: 512 }, emb);
  assert.equal(wide.width / wide.height, 2);
  assert.ok(wide.width % 8 === 0 && wide.height % 8 === 0);
  const tall = defaultCanvasFor({ width: 300, height: 900 }, emb);
  assert.ok(tall.height > tall.width && tall.width >= 64);
  assert.deepEqual(defaultCanvasFor({ width: 128, height: 96 }, emb), { width: 128, height: 96 });
  assert.deepEqual(defaultCanvasFor({ width: 20, height: 20 }, emb), { width: 64, height: 64 });
  const roomy = defaultCanvasFor(
    { width: 1024, height: 1024 },
    { tokenSize: 8, limits: { ...limits, maxTokens: 100000 } },
  );
  assert.deepEqual(roomy, { width: 256, height: 256 });
});
