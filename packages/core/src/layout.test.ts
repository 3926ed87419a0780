import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMask, fillImage } from './image-ops.ts';
import { composeLayout, layoutToModelSpace, paintOrder, placeReference } from './layout.ts';
import type { ReferenceCutout } from './types.ts';

/** A w x h reference of one colour whose mask covers rect (mx, my, mw, mh). */
function ref(
  w: number,
  h: number,
  rgb: [number, number, number],
  rect?: [number, number, number, number],
): ReferenceCutout {
  const image = fillImage(w, h, [...rgb, 255]);
  const mask = createMask(w, h);
  const [mx, my, mw, mh] = rect ?? [0, 0, w, h];
  for (let y = my; y < my + mh; y++) mask.data.fill(255, y * w + mx, y * w + mx + mw);
  return { image, mask };
}

function pixel(img: { width: number; data: Uint8ClampedArray }, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return Array.from(img.data.subarray(i, i + 4));
}

test('instance-fit crops to the mask, keeps aspect, matches the box area clamped to fit, centres', () => {
  // Reference 40x40 with a 20x10 subject; box 40x40. Area scale sqrt(1600/200)=2.83, clamped to
  // min(40/20, 40/10) = 2 -> 40x20, centred vertically at y 10..30.
  const placed = placeReference(
    ref(40, 40, [200, 0, 0], [5, 5, 20, 10]),
    [0, 0, 40, 40],
    'instance-fit',
  )!;
  assert.deepEqual([placed.image.width, placed.image.height, placed.x, placed.y], [40, 20, 0, 10]);
  // Box 30x20 with a square 10x10 subject: area scale sqrt(600/100)=2.45, clamp min(3, 2) = 2 -> 20x20.
  const sq = placeReference(ref(10, 10, [0, 200, 0]), [10, 0, 40, 20], 'instance-fit')!;
  assert.deepEqual([sq.image.width, sq.image.height, sq.x, sq.y], [20, 20, 15, 0]);
});

test('image-fit keeps the whole reference, stretch fills the box', () => {
  const r = ref(40, 20, [0, 0, 200], [0, 0, 10, 10]);
  const fit = placeReference(r, [0, 0, 30, 30], 'image-fit')!;
  assert.deepEqual([fit.image.width, fit.image.height, fit.x, fit.y], [30, 15, 0, 7]);
  const st = placeReference(r, [4, 6, 30, 30], 'stretch')!;
  assert.deepEqual([st.image.width, st.image.height, st.x, st.y], [26, 24, 4, 6]);
  assert.equal(placeReference({ image: r.image, mask: createMask(40, 20) }, [0, 0, 8, 8]), null);
});

test('paint order: explicit z, then nested after container, then larger first', () => {
  const big = { box: [0, 0, 60, 60] as const };
  const small = { box: [10, 10, 20, 20] as const };
  const mid = { box: [30, 30, 64, 64] as const };
  assert.deepEqual(paintOrder([small, big, mid]), [1, 2, 0]);
  assert.deepEqual(paintOrder([{ ...big, z: 2 }, small, mid]), [2, 1, 0]);
  assert.deepEqual(paintOrder([{ box: [0, 0, 8, 8] }, { box: [0, 0, 8, 8] }]), [0, 1]);
});

test('composeLayout: overlap shows the top instance, uncovered pixels are empty', () => {
  const layout = composeLayout(64, 48, [
    { box: [10, 10, 30, 30], reference: ref(8, 8, [255, 0, 0]), resize: 'stretch' },
    { box: [0, 0, 40, 40], reference: ref(8, 8, [0, 255, 0]), resize: 'stretch' },
    { box: [50, 0, 60, 10] },
  ]);
  assert.deepEqual(pixel(layout, 20, 20), [255, 0, 0, 255]); // nested small box on top
  assert.deepEqual(pixel(layout, 5, 5), [0, 255, 0, 255]);
  assert.deepEqual(pixel(layout, 55, 5), [0, 0, 0, 0]); // instance without reference paints nothing
  assert.deepEqual(pixel(layout, 63, 47), [0, 0, 0, 0]);
  const zUp = composeLayout(64, 48, [
    { box: [10, 10, 30, 30], reference: ref(8, 8, [255, 0, 0]), resize: 'stretch', z: 0 },
    { box: [0, 0, 40, 40], reference: ref(8, 8, [0, 255, 0]), resize: 'stretch', z: 1 },
  ]);
  assert.deepEqual(pixel(zUp, 20, 20), [0, 255, 0, 255]);
});

test('masked-out reference pixels are not pasted', () => {
  const r = ref(10, 10, [100, 100, 100], [0, 0, 5, 10]); // left half only
  const layout = composeLayout(32, 32, [
    { box: [0, 0, 10, 10], reference: r, resize: 'image-fit' },
  ]);
  assert.equal(pixel(layout, 2, 5)[3], 255);
  assert.deepEqual(pixel(layout, 8, 5), [0, 0, 0, 0]);
});

test('layoutToModelSpace maps empty to 0 and colours to v/127.5-1', () => {
  const layout = composeLayout(8, 8, [
    { box: [0, 0, 4, 8], reference: ref(2, 2, [255, 0, 51]), resize: 'stretch' },
  ]);
  const ms = layoutToModelSpace(layout);
  assert.deepEqual(Array.from(ms.subarray(0, 3)), [1, -1, Math.fround(51 / 127.5 - 1)]);
  assert.deepEqual(Array.from(ms.subarray(5 * 3, 5 * 3 + 3)), [0, 0, 0]);
});
