import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRaster, sampleBilinear } from '../image/raster.ts';
import type { Raster } from '../image/raster.ts';
import { iou } from './box.ts';
import { ImagePyramid, localise } from './localise.ts';
import { cutoutOf, toTemplate } from './template.ts';
import type { Pose } from './template.ts';

/** An asymmetric RGBA subject: an L-shaped body with a coloured stripe and a dot. */
function subject(): Raster {
  const r = makeRaster(40, 40, 4);
  for (let y = 0; y < 40; y++)
    for (let x = 0; x < 40; x++) {
      const inL = (x >= 6 && x < 18 && y >= 4 && y < 36) || (x >= 6 && x < 34 && y >= 24 && y < 36);
      if (!inL) continue;
      const i = (y * 40 + x) * 4;
      const stripe = y >= 28 && y < 31;
      const dot = (x - 12) ** 2 + (y - 10) ** 2 < 9;
      r.data[i] = dot ? 20 : stripe ? 230 : 60 + 4 * x;
      r.data[i + 1] = dot ? 20 : stripe ? 40 : 120;
      r.data[i + 2] = dot ? 200 : stripe ? 40 : 220 - 3 * y;
      r.data[i + 3] = 255;
    }
  return r;
}

/** Draws `ref` into a textured background with a pose, returns the image and the drawn box. */
function scene(
  ref: Raster,
  pose: Pose,
  cx: number,
  cy: number,
): { image: Raster; box: [number, number, number, number] } {
  const cut = cutoutOf(ref);
  const img = makeRaster(96, 96, 3);
  let box: [number, number, number, number] = [96, 96, -1, -1];
  for (let y = 0; y < 96; y++)
    for (let x = 0; x < 96; x++) {
      const i = (y * 96 + x) * 3;
      img.data[i] = 150 + ((x * 7 + y * 3) % 20);
      img.data[i + 1] = 170 + ((x * 5) % 15);
      img.data[i + 2] = 120 + ((y * 11) % 25);
      const [u, v] = toTemplate(cut, pose, x + 0.5 - cx, y + 0.5 - cy);
      if (u < 0 || v < 0 || u > cut.image.width || v > cut.image.height) continue;
      if (sampleBilinear(cut.image, u, v, 3) < 128) continue;
      for (let k = 0; k < 3; k++)
        img.data[i + k] = Math.round(0.85 * sampleBilinear(cut.image, u, v, k) + 10);
      box = [
        Math.min(box[0], x),
        Math.min(box[1], y),
        Math.max(box[2], x + 1),
        Math.max(box[3], y + 1),
      ];
    }
  return { image: img, box };
}

test('localise finds a turned, mirrored, dimmed subject with its box, pose and a high score', () => {
  const ref = subject();
  const pose: Pose = { scale: 1.3, angle: (17 * Math.PI) / 180, flip: true, aspect: 1 };
  const { image, box } = scene(ref, pose, 50.5, 44.5);
  const loc = localise(new ImagePyramid(image), cutoutOf(ref, 32), box);
  assert.ok(iou(loc.box, box) > 0.85, `IoU ${iou(loc.box, box)} found ${loc.box} want ${box}`);
  assert.equal(loc.placement.flip, true);
  assert.ok(
    Math.abs(loc.placement.angle - pose.angle) < (6 * Math.PI) / 180,
    `angle ${(loc.placement.angle * 180) / Math.PI}`,
  );
  assert.ok(loc.score > 0.8, `score ${loc.score}`);
});

test('on a flat image the match score is 0', () => {
  const loc = localise(
    new ImagePyramid(makeRaster(64, 64, 3, 128)),
    cutoutOf(subject(), 32),
    [10, 10, 40, 40],
  );
  assert.equal(loc.score, 0);
});
