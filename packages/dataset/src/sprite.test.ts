import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canvasToRgb, createCanvas } from './background.ts';
import { drawSprite, makeSprite } from './sprite.ts';
import type { Pose } from './sprite.ts';

/** A 16x16 sprite: opaque red square in the left half of rows 4..11, transparent elsewhere. */
function halfSquare(): Uint8Array {
  const rgba = new Uint8Array(16 * 16 * 4);
  for (let y = 4; y < 12; y++)
    for (let x = 2; x < 8; x++) rgba.set([255, 0, 0, 255], (y * 16 + x) * 4);
  return rgba;
}

const neutral = { tint: [1, 1, 1] as const, dirX: 0, dirY: -1, strength: 0 };

test('content box and mip chain', () => {
  const s = makeSprite(halfSquare(), 16);
  assert.deepEqual(s.content, [2, 4, 8, 12]);
  assert.deepEqual(
    s.levels.map((l) => l.length),
    [16 * 16 * 4, 8 * 8 * 4, 4 * 4 * 4],
  );
});

test('an unrotated 1:1 draw reproduces the sprite; the box is tight; owner marks covered pixels', () => {
  const canvas = createCanvas(20, 20);
  const owner = new Int8Array(400).fill(-1);
  const pose: Pose = { cx: 10, cy: 10, scale: 1, rotation: 0, flip: false, aspect: 1 };
  const box = drawSprite(
    { canvas, owner, ownerId: 3 },
    makeSprite(halfSquare(), 16),
    pose,
    neutral,
  );
  // Content 6x8 centred at (10,10): x 7..12, y 6..13.
  assert.deepEqual(box, [7, 6, 13, 14]);
  const rgb = canvasToRgb(canvas);
  assert.deepEqual([...rgb.subarray((6 * 20 + 7) * 3, (6 * 20 + 7) * 3 + 3)], [255, 0, 0]);
  assert.equal(owner[6 * 20 + 7], 3);
  assert.equal(owner[6 * 20 + 6], -1);
  assert.equal(owner.filter((o) => o === 3).length, 48);
});

test('flip mirrors around the content centre; lighting brightens the lit side', () => {
  const rgba = new Uint8Array(16 * 16 * 4);
  for (let y = 0; y < 16; y++)
    for (let x = 0; x < 16; x++)
      rgba.set(x < 8 ? [200, 200, 200, 255] : [100, 100, 100, 255], (y * 16 + x) * 4);
  const sprite = makeSprite(rgba, 16);
  const draw = (flip: boolean, light = neutral): Uint8Array => {
    const canvas = createCanvas(16, 16);
    drawSprite({ canvas }, sprite, { cx: 8, cy: 8, scale: 1, rotation: 0, flip, aspect: 1 }, light);
    return canvasToRgb(canvas);
  };
  assert.equal(draw(false)[(8 * 16 + 2) * 3], 200);
  assert.equal(draw(true)[(8 * 16 + 2) * 3], 100);
  const lit = draw(false, { tint: [1, 1, 1], dirX: 0, dirY: -1, strength: 0.3 });
  assert.ok(
    lit[(1 * 16 + 2) * 3]! > lit[(14 * 16 + 2) * 3]!,
    'top (towards the light) is brighter',
  );
});
