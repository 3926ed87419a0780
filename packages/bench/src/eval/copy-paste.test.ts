import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPaste, LAYOUT_EMPTY } from './copy-paste.ts';
import { makeRaster } from '../image/raster.ts';
import type { Raster } from '../image/raster.ts';

function patterned(seed: number): Raster {
  const r = makeRaster(32, 32, 3, LAYOUT_EMPTY);
  for (let y = 8; y < 24; y++)
    for (let x = 8; x < 24; x++)
      for (let k = 0; k < 3; k++)
        r.data[(y * 32 + x) * 3 + k] = (x * 13 + y * 7 * (k + 1) + seed) % 200;
  return r;
}

test('an exact copy of the layout crop is copy-paste; the empty layout pixels are ignored', () => {
  const layout = patterned(0);
  const gen = makeRaster(32, 32, 3, 30); // different background outside the pasted cutout
  for (let y = 8; y < 24; y++)
    for (let x = 8; x < 24; x++)
      for (let k = 0; k < 3; k++)
        gen.data[(y * 32 + x) * 3 + k] = layout.data[(y * 32 + x) * 3 + k]!;
  const r = copyPaste(gen, layout, [4, 4, 28, 28]);
  assert.equal(r.copy, true);
  assert.equal(r.mad, 0);
});

test('a different pattern, or the same pattern relit strongly, is not a copy', () => {
  const layout = patterned(0);
  assert.equal(copyPaste(patterned(50), layout, [4, 4, 28, 28]).copy, false);
  const dark = makeRaster(32, 32, 3);
  for (let i = 0; i < dark.data.length; i++) dark.data[i] = Math.round(layout.data[i]! * 0.6);
  const r = copyPaste(dark, layout, [4, 4, 28, 28]);
  assert.ok(r.ncc > 0.99, `same pattern: ncc ${r.ncc}`);
  assert.equal(r.copy, false, 'values too far from the layout');
});

test('a box over an empty layout region is never a copy', () => {
  const layout = makeRaster(32, 32, 3, LAYOUT_EMPTY);
  assert.equal(copyPaste(layout, layout, [0, 0, 32, 32]).copy, false);
});
