import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decode } from 'fast-png';
import { buildDataset } from './build.ts';
import { drawBox, writePreview } from './preview.ts';
import { testAtlas } from './test-helpers.ts';

test('drawBox outlines exactly the box edges', () => {
  const rgb = new Uint8Array(5 * 5 * 3);
  drawBox(rgb, 5, 5, [1, 1, 4, 4], [9, 9, 9]);
  const on = (x: number, y: number): boolean => rgb[(y * 5 + x) * 3] === 9;
  assert.ok(on(1, 1) && on(3, 3) && on(1, 3) && on(3, 1));
  assert.ok(!on(2, 2) && !on(0, 0) && !on(4, 4));
});

test('the contact sheet PNG has one row per sample', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imig-preview-'));
  try {
    await buildDataset({ out: dir, count: 3, size: 64, refSize: 32, workers: 0 }, testAtlas());
    const file = join(dir, 'sheet.png');
    const r = writePreview(dir, file, 3);
    const png = decode(readFileSync(file));
    assert.equal(r.samples, 3);
    assert.equal(png.height, 3 * (64 + 4) + 4);
    assert.equal(png.width, r.width);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
