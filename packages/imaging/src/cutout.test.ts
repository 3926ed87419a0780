import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoCutout } from './cutout.ts';
import { inDisc, iou, noiseSource, paintImage, type Rgb } from './synthetic.test-util.ts';

const W = 96;
const H = 80;
const disc = (x: number, y: number): boolean => inDisc(x, y, 50, 38, 22);

test('a disc on a plain background is cut out with IoU > 0.95', () => {
  const img = paintImage(W, H, (x, y) => (disc(x, y) ? [200, 60, 40] : [240, 240, 235]));
  const { mask, backgroundCentre } = autoCutout(img);
  const score = iou(mask.data, W, disc);
  assert.ok(score > 0.95, `IoU ${score}`);
  assert.ok(Math.abs(backgroundCentre[0] - 240) < 2, `background estimate ${backgroundCentre}`);
});

test('a disc on a vertical gradient background (dark to light blue) is cut out with IoU > 0.95', () => {
  const bg = (y: number): Rgb => [20 + (y / H) * 140, 40 + (y / H) * 160, 120 + (y / H) * 130];
  const img = paintImage(W, H, (x, y) => (disc(x, y) ? [230, 200, 40] : bg(y)));
  const score = iou(autoCutout(img).mask.data, W, disc);
  assert.ok(score > 0.95, `IoU ${score}`);
});

test('a noisy diagonal gradient still gives IoU > 0.95, and specks of noise are removed', () => {
  const noise = noiseSource(7, 6);
  const img = paintImage(W, H, (x, y) => {
    if (disc(x, y)) return [60 + noise(), 160 + noise(), 70 + noise()];
    const t = (x + y) / (W + H);
    return [200 - 60 * t + noise(), 190 - 50 * t + noise(), 180 - 40 * t + noise()];
  });
  const { mask } = autoCutout(img);
  const score = iou(mask.data, W, disc);
  assert.ok(score > 0.95, `IoU ${score}`);
});

test('a region of background colour enclosed by the subject stays part of the subject', () => {
  // A ring with a background-coloured centre (like the white of an eye) is one solid subject.
  const img = paintImage(W, H, (x, y) =>
    disc(x, y) && !inDisc(x, y, 50, 38, 8) ? [30, 30, 30] : [250, 250, 250],
  );
  const score = iou(autoCutout(img).mask.data, W, disc);
  assert.ok(score > 0.95, `IoU ${score}`);
});

test('a subject touching the border does not spoil the background estimate', () => {
  const touching = (x: number, y: number): boolean => inDisc(x, y, 10, 40, 25);
  const img = paintImage(W, H, (x, y) => (touching(x, y) ? [20, 90, 200] : [235, 230, 220]));
  const { mask, backgroundCentre } = autoCutout(img);
  assert.ok(Math.abs(backgroundCentre[2] - 220) < 4, `background estimate ${backgroundCentre}`);
  // The part on the border row/column is reachable from the border only through subject pixels.
  const score = iou(mask.data, W, touching);
  assert.ok(score > 0.9, `IoU ${score}`);
});

test('small far-away specks are dropped, a second large subject is kept', () => {
  const second = (x: number, y: number): boolean => inDisc(x, y, 15, 15, 9);
  const speck = (x: number, y: number): boolean => x >= 85 && x < 87 && y >= 70 && y < 72;
  const img = paintImage(W, H, (x, y) =>
    disc(x, y) || second(x, y) || speck(x, y) ? [180, 20, 120] : [245, 245, 245],
  );
  const { mask } = autoCutout(img);
  const score = iou(mask.data, W, (x, y) => disc(x, y) || second(x, y));
  assert.ok(score > 0.95, `IoU ${score}`);
  assert.equal(mask.data[71 * W + 86], 0, 'speck removed');
});

test('an image that is all background gives an empty mask', () => {
  const img = paintImage(40, 30, () => [128, 128, 128]);
  const { mask } = autoCutout(img);
  assert.equal(
    mask.data.reduce((a, v) => a + (v > 0 ? 1 : 0), 0),
    0,
  );
});

test('feathering softens the edge but keeps the interior solid', () => {
  const img = paintImage(W, H, (x, y) => (disc(x, y) ? [0, 0, 0] : [255, 255, 255]));
  const { mask } = autoCutout(img, { featherRadius: 2 });
  assert.equal(mask.data[38 * W + 50], 255);
  assert.equal(mask.data[2 * W + 2], 0);
  const edge = [...mask.data].filter((v) => v > 0 && v < 255).length;
  assert.ok(edge > 100, `soft edge pixels ${edge}`);
});
