import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Mask } from '@contextgen/core';
import { autoCutout } from './cutout.ts';
import { decodeImageFile } from './decode.ts';
import { checkCutoutMask, holeFraction, touchedBorders } from './mask-checks.ts';
import { inDisc } from './synthetic.test-util.ts';

function paintMask(w: number, h: number, inside: (x: number, y: number) => boolean): Mask {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = inside(x, y) ? 255 : 0;
  return { width: w, height: h, data };
}

const codes = (mask: Mask): string[] => checkCutoutMask(mask).map((c) => c.code);

test('a solid disc in the middle passes every check', () => {
  const mask = paintMask(100, 80, (x, y) => inDisc(x, y, 50, 40, 25));
  assert.deepEqual(checkCutoutMask(mask), []);
  assert.equal(holeFraction(mask, 0.12), 0);
});

test('a head-and-shoulders shape with its face cut out is reported as a hole', () => {
  // Shoulders at the bottom, a head ring whose inside (the face) was taken for background and
  // joins the outside through a gap at the chin, as the heuristic does on a light face.
  const W = 120;
  const H = 120;
  const mask = paintMask(W, H, (x, y) => {
    const shoulders = y >= 85 && x >= 20 && x < 100;
    const head = inDisc(x, y, 60, 50, 30) && !inDisc(x, y, 60, 52, 20);
    const gap = y > 60 && Math.abs(x + 0.5 - 60) < 4; // the opening under the chin
    return (shoulders || head) && !gap;
  });
  const hole = holeFraction(mask, 0.12);
  assert.ok(hole > 0.1, `hole fraction ${hole}`);
  assert.ok(codes(mask).includes('cutout-hole'), JSON.stringify(checkCutoutMask(mask)));
  const msg = checkCutoutMask(mask).find((c) => c.code === 'cutout-hole')!.message;
  assert.match(msg, /hole inside the subject/);
});

test('a shallow bay (a concave but solid subject) is not a hole', () => {
  // A "C" whose opening is as wide as the subject: a closing of 12 % cannot bridge it.
  const mask = paintMask(
    100,
    100,
    (x, y) => inDisc(x, y, 50, 50, 40) && !(x > 50 && Math.abs(y - 50) < 30),
  );
  assert.ok(!codes(mask).includes('cutout-hole'), JSON.stringify(checkCutoutMask(mask)));
});

test('touching three borders is reported, and which ones are named', () => {
  // A head-and-shoulders crop: shoulders span the full width at the bottom.
  const mask = paintMask(100, 100, (x, y) => y >= 70 || inDisc(x, y, 50, 45, 25));
  assert.deepEqual(touchedBorders(mask, 0.1), ['right', 'bottom', 'left']);
  const found = checkCutoutMask(mask).find((c) => c.code === 'cutout-borders');
  assert.ok(found, 'a border finding');
  assert.match(found.message, /3 of the image's 4 borders \(right, bottom, left\)/);
});

test('touching two borders, or a few pixels of a third, is not reported', () => {
  const corner = paintMask(100, 100, (x, y) => x >= 40 && y >= 40);
  assert.deepEqual(touchedBorders(corner, 0.1), ['right', 'bottom']);
  // 5 of 100 pixels of the left border: under the 10 % needed to count.
  const speck = paintMask(
    100,
    100,
    (x, y) => (x >= 40 && y >= 40) || (y >= 60 && y < 65 && x >= 0),
  );
  assert.ok(!codes(speck).includes('cutout-borders'), JSON.stringify(checkCutoutMask(speck)));
});

test('an implausible area is reported with the percentage', () => {
  const tiny = paintMask(100, 100, (x, y) => x >= 50 && x < 55 && y >= 50 && y < 55);
  const found = checkCutoutMask(tiny).find((c) => c.code === 'cutout-area');
  assert.ok(found);
  assert.match(found.message, /keeps 0 % of the image/);
  const almostAll = paintMask(100, 100, (x, y) => !(x < 10 && y < 10));
  assert.ok(codes(almostAll).includes('cutout-area'));
});

test('an empty mask yields no finding (it is refused elsewhere) and the fix text is appended', () => {
  assert.deepEqual(checkCutoutMask(paintMask(10, 10, () => false)), []);
  const tiny = paintMask(100, 100, (x, y) => x === 50 && y === 50);
  const [first] = checkCutoutMask(tiny, { fix: 'install the u2netp backend' });
  assert.match(first!.message, /; install the u2netp backend$/);
});

test('the heuristic masks of the example pets (a rabbit with its ears, a dog) raise no doubt', async () => {
  const pets = fileURLToPath(new URL('../../../examples/pets/', import.meta.url));
  for (const file of ['dog.png', 'rabbit.png']) {
    const { image } = await decodeImageFile(join(pets, file));
    assert.deepEqual(checkCutoutMask(autoCutout(image).mask), [], file);
  }
});
