import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillImage } from '@contextgen/core';
import { BOX_COLOURS, drawBoxes } from './draw-boxes.ts';

const px = (img: { width: number; data: Uint8ClampedArray }, x: number, y: number): number[] => [
  ...img.data.slice((y * img.width + x) * 4, (y * img.width + x) * 4 + 4),
];

test('drawBoxes outlines each box inside its edges in its colour and leaves the input untouched', () => {
  const base = fillImage(64, 48, [10, 10, 10, 255]);
  const out = drawBoxes(base, [
    [8, 8, 40, 30],
    [30, 20, 64, 48],
  ]);
  const [c0, c1] = [BOX_COLOURS[0]!, BOX_COLOURS[1]!];
  assert.deepEqual(px(out, 39, 15), [...c0, 255], 'right edge of box 0 (x2 - 1)');
  assert.deepEqual(px(out, 20, 29), [...c0, 255], 'bottom edge of box 0');
  assert.deepEqual(px(out, 63, 47), [...c1, 255], 'corner of box 1 at the canvas edge');
  assert.deepEqual(px(out, 20, 20), [10, 10, 10, 255], 'inside untouched');
  assert.deepEqual(px(base, 39, 15), [10, 10, 10, 255], 'input not modified');
});

test('the index label is a filled tag with white digit pixels', () => {
  const out = drawBoxes(fillImage(64, 64, [0, 0, 0, 255]), [[10, 10, 50, 50]]);
  // Tag at (10,10), pad 1: digit "0" top row spans x 11..13 at y 11 in white; its hollow centre at (12, 13) keeps the tag colour.
  assert.deepEqual(px(out, 11, 11), [255, 255, 255, 255]);
  assert.deepEqual(px(out, 12, 13), [...BOX_COLOURS[0]!, 255]);
});
