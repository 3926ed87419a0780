import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clampBox,
  defaultBoxFor,
  hitTest,
  moveBox,
  resizeBox,
  scaleBox,
  snapEdges,
  snapMovedBox,
  snapResizedBox,
  snapValue,
} from './geometry.ts';
import type { Instance } from './types.ts';

const canvas = { width: 256, height: 256 };
const inst = (id: string, box: Instance['box'], z: number): Instance => ({
  id,
  assetId: null,
  box,
  phrase: '',
  aspectLocked: false,
  z,
  resize: 'instance-fit',
});

test('moveBox keeps the box inside the canvas without changing its size', () => {
  const b = moveBox({ x1: 200, y1: 10, x2: 250, y2: 60 }, 30, -40, canvas);
  assert.deepEqual(b, { x1: 206, y1: 0, x2: 256, y2: 50 });
});

test('clampBox shrinks only a box larger than the canvas', () => {
  assert.deepEqual(clampBox({ x1: -10, y1: 0, x2: 300, y2: 20 }, canvas), {
    x1: 0,
    y1: 0,
    x2: 256,
    y2: 20,
  });
});

test('resizeBox from a corner without aspect lock follows the pointer', () => {
  const b = resizeBox({ x1: 10, y1: 10, x2: 50, y2: 50 }, 'se', { x: 100, y: 70 }, canvas);
  assert.deepEqual(b, { x1: 10, y1: 10, x2: 100, y2: 70 });
});

test('resizeBox with aspect lock keeps the ratio and the opposite corner', () => {
  const b = resizeBox({ x1: 10, y1: 10, x2: 50, y2: 30 }, 'se', { x: 90, y: 40 }, canvas, 2);
  assert.deepEqual(b, { x1: 10, y1: 10, x2: 90, y2: 50 });
  const nw = resizeBox({ x1: 100, y1: 100, x2: 140, y2: 120 }, 'nw', { x: 20, y: 95 }, canvas, 2);
  assert.equal(nw.x2, 140);
  assert.equal(nw.y2, 120);
  assert.ok(Math.abs((nw.x2 - nw.x1) / (nw.y2 - nw.y1) - 2) < 1e-9);
});

test('resizeBox with aspect lock never leaves the canvas', () => {
  const b = resizeBox({ x1: 200, y1: 200, x2: 220, y2: 210 }, 'se', { x: 400, y: 400 }, canvas, 2);
  assert.ok(b.x2 <= 256 && b.y2 <= 256);
  assert.ok(Math.abs((b.x2 - b.x1) / (b.y2 - b.y1) - 2) < 1e-9);
});

test('resizeBox never inverts a box', () => {
  const b = resizeBox({ x1: 10, y1: 10, x2: 50, y2: 50 }, 'e', { x: 0, y: 30 }, canvas);
  assert.ok(b.x2 > b.x1);
});

test('snapValue picks the nearest candidate within the threshold only', () => {
  assert.equal(snapValue(13, [0, 16, 32], 4), 16);
  assert.equal(snapValue(8, [0, 16], 4), 8);
});

test('snapMovedBox aligns the nearest side to another box edge or the grid', () => {
  const others = [inst('a', { x1: 100, y1: 0, x2: 140, y2: 40 }, 1)];
  const edges = snapEdges(others, 'moving', canvas);
  const b = snapMovedBox(
    { x1: 142, y1: 53, x2: 182, y2: 93 },
    { grid: 0, ...edges, threshold: 4 },
    canvas,
  );
  assert.equal(b.x1, 140); // snapped to the other box's right edge
  assert.equal(b.y1, 53); // nothing near on y
  const g = snapMovedBox(
    { x1: 9, y1: 30, x2: 49, y2: 70 },
    { grid: 8, xEdges: [], yEdges: [], threshold: 2 },
    canvas,
  );
  assert.deepEqual(g, { x1: 8, y1: 32, x2: 48, y2: 72 });
});

test('snapResizedBox moves only the dragged sides', () => {
  const b = snapResizedBox({ x1: 3, y1: 3, x2: 61, y2: 61 }, 'se', {
    grid: 16,
    xEdges: [],
    yEdges: [],
    threshold: 4,
  });
  assert.deepEqual(b, { x1: 3, y1: 3, x2: 64, y2: 64 });
});

test('hitTest returns the topmost instance under the point', () => {
  const list = [
    inst('low', { x1: 0, y1: 0, x2: 100, y2: 100 }, 1),
    inst('high', { x1: 50, y1: 50, x2: 150, y2: 150 }, 2),
  ];
  assert.equal(hitTest(list, { x: 60, y: 60 })?.id, 'high');
  assert.equal(hitTest(list, { x: 10, y: 10 })?.id, 'low');
  assert.equal(hitTest(list, { x: 200, y: 10 }), undefined);
});

test('defaultBoxFor keeps the asset aspect and centres the box', () => {
  const b = defaultBoxFor(200, 100, canvas, 0.5);
  assert.deepEqual(b, { x1: 64, y1: 96, x2: 192, y2: 160 });
});

test('scaleBox maps a box to a new canvas size', () => {
  assert.deepEqual(
    scaleBox({ x1: 10, y1: 20, x2: 30, y2: 40 }, canvas, { width: 128, height: 512 }),
    { x1: 5, y1: 40, x2: 15, y2: 80 },
  );
});
