import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxTokenRange, planTokens } from './token-plan.ts';
import { SEG } from './types.ts';

const input = {
  width: 32,
  height: 24,
  tokenSize: 8,
  textTokens: 3,
  phraseTokens: [2, 0],
  boxes: [
    [0, 0, 12, 9],
    [9, 9, 32, 24],
  ] as const,
  refGrids: [null, { h: 2, w: 1, valid: [1, 0] }],
};

test('segments come in contract order with the right lengths', () => {
  const plan = planTokens(input);
  assert.deepEqual(
    plan.segments.map((s) => [s.name, s.start, s.length, s.instance]),
    [
      ['text', 0, 3, -1],
      ['phrase_0', 3, 2, 0],
      ['main', 5, 12, -1],
      ['layout', 17, 12, -1],
      ['ref_1', 29, 2, 1],
    ],
  );
  assert.equal(plan.length, 31);
  assert.equal(plan.textLength, 5);
  assert.equal(plan.imageLength, 26);
  assert.deepEqual(plan.mainGrid, { h: 3, w: 4 });
});

test('descriptors, box cover and reference positions', () => {
  const { descriptors: d, pos } = planTokens(input);
  assert.equal(d.seg[4], SEG.PHRASE);
  assert.equal(d.inst[4], 0);
  assert.equal(d.inst[5], -1);
  // main token (ty,tx): box0 covers tx 0..1, ty 0..1; box1 covers tx 1..3, ty 1..2
  const cover = (ty: number, tx: number): number => d.cover[5 + ty * 4 + tx]!;
  assert.equal(cover(0, 0), 1);
  assert.equal(cover(1, 1), 3);
  assert.equal(cover(2, 3), 2);
  assert.equal(cover(0, 3), 0);
  assert.equal(d.cover[17 + 5], 0); // layout tokens carry no cover
  assert.deepEqual(Array.from(d.valid.subarray(29)), [1, 0]);
  assert.deepEqual(Array.from(pos.subarray(29 * 3)), [1, 3, 4, 1, 4, 4]); // X0 = Wm = 4, Y0 = Hm = 3
  assert.deepEqual(Array.from(pos.subarray(17 * 3 + 7 * 3, 17 * 3 + 8 * 3)), [1, 1, 3]);
  assert.deepEqual(Array.from(pos.subarray(0, 15)), new Array(15).fill(0));
});

test('reference offsets run diagonally', () => {
  const plan = planTokens({
    width: 16,
    height: 16,
    tokenSize: 8,
    textTokens: 1,
    phraseTokens: [0, 0],
    boxes: [
      [0, 0, 8, 8],
      [8, 8, 16, 16],
    ],
    refGrids: [
      { h: 1, w: 3, valid: [1, 1, 1] },
      { h: 2, w: 2, valid: [1, 1, 1, 1] },
    ],
  });
  const ref1 = plan.segments.find((s) => s.name === 'ref_1')!;
  assert.deepEqual(Array.from(plan.pos.subarray(ref1.start * 3, ref1.start * 3 + 3)), [
    1,
    2 + 1,
    2 + 3,
  ]);
});

test('box token range uses floor/ceil on pixel edges', () => {
  assert.deepEqual(boxTokenRange([7, 8, 9, 16], 8, { h: 4, w: 4 }), {
    tx0: 0,
    tx1: 2,
    ty0: 1,
    ty1: 2,
  });
});

test('inconsistent input is rejected', () => {
  assert.throws(() => planTokens({ ...input, width: 30 }), /multiples of the token size/);
  assert.throws(() => planTokens({ ...input, phraseTokens: [1] }), /one entry per instance/);
  assert.throws(
    () => planTokens({ ...input, refGrids: [null, { h: 2, w: 2, valid: [1] }] }),
    /refGrids\[1\]/,
  );
  assert.throws(() => planTokens({ ...input, textTokens: 0 }), /textTokens/);
});
