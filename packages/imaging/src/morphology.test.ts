import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedComponents, dilate, erode, keepLargeComponents, open } from './morphology.ts';

function grid(rows: string[]): { m: Uint8Array; w: number; h: number } {
  const h = rows.length;
  const w = rows[0]!.length;
  const m = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((c, x) => (m[y * w + x] = c === '#' ? 1 : 0)));
  return { m, w, h };
}
const show = (m: Uint8Array, w: number): string[] =>
  Array.from({ length: m.length / w }, (_, y) =>
    [...m.slice(y * w, y * w + w)].map((v) => (v ? '#' : '.')).join(''),
  );

test('dilate and erode by radius 1 grow and shrink a square by one pixel', () => {
  const { m, w, h } = grid(['.....', '.....', '..#..', '.....', '.....']);
  const d = dilate(m, w, h, 1);
  assert.deepEqual(show(d, w), ['.....', '.###.', '.###.', '.###.', '.....']);
  assert.deepEqual(show(erode(d, w, h, 1), w), show(m, w));
});

test('open removes a 1-pixel speck and keeps a 3x3 block', () => {
  const { m, w, h } = grid(['#......', '...###.', '...###.', '...###.', '.......']);
  assert.deepEqual(show(open(m, w, h, 1), w), [
    '.......',
    '...###.',
    '...###.',
    '...###.',
    '.......',
  ]);
});

test('connectedComponents uses 8-connectivity and reports areas', () => {
  const { m, w, h } = grid(['#...', '.#..', '...#', '...#']);
  const { areas } = connectedComponents(m, w, h);
  assert.deepEqual(areas.slice(1).sort(), [2, 2]);
});

test('keepLargeComponents drops components under the fraction of the largest', () => {
  const { m, w, h } = grid(['###...', '###..#', '###...']);
  assert.deepEqual(show(keepLargeComponents(m, w, h, 0.2), w), ['###...', '###...', '###...']);
  assert.deepEqual(show(keepLargeComponents(m, w, h, 0.1), w), ['###...', '###..#', '###...']);
});
