import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LAYOUT_EMPTY, renderSample } from './sample.ts';
import { encodeRecord } from './shard.ts';
import { SCENES } from './scenes.ts';
import { testContext } from './test-helpers.ts';

test('the same seed and id give the same bytes; other seeds and ids differ', () => {
  const a = testContext({ seed: 3 });
  const b = testContext({ seed: 3 });
  const c = testContext({ seed: 4 });
  // b renders other samples first, so its sprite cache and scratch buffers differ from a's.
  for (let id = 100; id < 105; id++) renderSample(b, id);
  const ra = encodeRecord(renderSample(a, 7), 128, 64);
  const rb = encodeRecord(renderSample(b, 7), 128, 64);
  assert.deepEqual(rb, ra);
  assert.notDeepEqual(encodeRecord(renderSample(c, 7), 128, 64), ra);
  assert.notDeepEqual(encodeRecord(renderSample(a, 8), 128, 64), ra);
});

test('every visible mask lies inside its box, boxes inside the canvas, z is a depth permutation', () => {
  const ctx = testContext({ seed: 11 });
  const S = ctx.size;
  const levels = new Set<number>();
  const scenes = new Set<string>();
  for (let id = 0; id < 40; id++) {
    const s = renderSample(ctx, id);
    levels.add(s.level);
    scenes.add(s.scene);
    assert.equal(s.instances.length, s.level);
    assert.deepEqual(
      s.instances.map((i) => i.z).sort((x, y) => x - y),
      [...Array(s.level).keys()],
    );
    for (const inst of s.instances) {
      const [x1, y1, x2, y2] = inst.box;
      assert.ok(
        0 <= x1 && x1 < x2 && x2 <= S && 0 <= y1 && y1 < y2 && y2 <= S,
        `box ${inst.box} inside ${S}px`,
      );
      for (let p = 0; p < S * S; p++) {
        if (inst.mask[p] === 0) continue;
        const x = p % S;
        const y = Math.floor(p / S);
        assert.ok(
          x >= x1 && x < x2 && y >= y1 && y < y2,
          `sample ${id} ${inst.identity}: mask pixel (${x},${y}) outside box ${inst.box}`,
        );
      }
      // The reference has a non-empty cutout, and its background is transparent.
      let alpha = 0;
      for (let p = 0; p < 64 * 64; p++) if (inst.reference[p * 4 + 3]! >= 128) alpha++;
      assert.ok(alpha > 16, `reference of ${inst.identity} has a cutout (${alpha} px)`);
      assert.equal(inst.reference[3], 0, 'reference corner is background');
      assert.ok(inst.phrase === inst.name && inst.name.length > 0);
      assert.ok(s.caption.includes(inst.name), `caption names ${inst.name}`);
    }
    // At most one instance owns a pixel.
    for (let p = 0; p < S * S; p++)
      assert.ok(s.instances.filter((i) => i.mask[p]! > 0).length <= 1);
  }
  assert.ok(levels.size >= 6, `levels seen: ${[...levels]}`);
  assert.ok(scenes.size >= 6, `scenes seen: ${[...scenes]}`);
});

test('the layout image is empty (128) outside every box and differs from the target', () => {
  const ctx = testContext({ seed: 5 });
  const S = ctx.size;
  for (let id = 0; id < 10; id++) {
    const s = renderSample(ctx, id);
    let emptyOutside = 0;
    let outside = 0;
    for (let p = 0; p < S * S; p++) {
      const x = p % S;
      const y = Math.floor(p / S);
      const inBox = s.instances.some(
        (i) => x >= i.box[0] && x < i.box[2] && y >= i.box[1] && y < i.box[3],
      );
      if (inBox) continue;
      outside++;
      if (
        s.layout[p * 3] === LAYOUT_EMPTY &&
        s.layout[p * 3 + 1] === LAYOUT_EMPTY &&
        s.layout[p * 3 + 2] === LAYOUT_EMPTY
      )
        emptyOutside++;
    }
    assert.equal(emptyOutside, outside, `sample ${id}: layout pixels outside all boxes are empty`);
    assert.notDeepEqual(s.layout, s.target);
  }
});

test('scene names are unique', () => {
  assert.equal(new Set(SCENES.map((s) => s.name)).size, SCENES.length);
});
