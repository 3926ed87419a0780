import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSetCases, visibleShare } from './make-set.ts';
import { iou } from '../eval/box.ts';
import { BenchCaseSchema } from './bench-set.ts';

const input = {
  name: 't',
  seed: 7,
  size: 128,
  levels: [
    { level: 2, count: 5, side: [36, 60] as const },
    { level: 6, count: 5, side: [26, 42] as const },
  ],
  identities: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
  scenes: ['beach', 'night'],
};

test('makeSetCases is deterministic and respects level, identity and overlap rules', () => {
  const a = makeSetCases(input);
  const b = makeSetCases(input);
  assert.deepEqual(a, b);
  assert.notDeepEqual(makeSetCases({ ...input, seed: 8 }), a);
  assert.equal(a.length, 10);
  for (const c of a) {
    BenchCaseSchema.parse(c);
    assert.equal(c.instances.length, c.level);
    assert.equal(new Set(c.instances.map((i) => i.identity)).size, c.level);
    const boxes = c.instances.map((i) => i.box);
    for (let i = 0; i < boxes.length; i++) {
      const bx = boxes[i]!;
      assert.ok(bx[0] >= 0 && bx[1] >= 0 && bx[2] <= 128 && bx[3] <= 128);
      assert.ok(visibleShare(bx, boxes.slice(i + 1)) >= 0.6);
      for (let j = 0; j < i; j++) assert.ok(iou(bx, boxes[j]!) <= 0.25);
    }
  }
});

test('visibleShare counts the uncovered part of a box', () => {
  assert.equal(visibleShare([0, 0, 10, 10], []), 1);
  assert.equal(visibleShare([0, 0, 10, 10], [[5, 0, 20, 10]]), 0.5);
  assert.equal(visibleShare([0, 0, 10, 10], [[0, 0, 10, 10]]), 0);
});

test('too many instances for the identity pool is refused with the numbers', () => {
  assert.throws(() => makeSetCases({ ...input, identities: ['a'] }), /needs 2 distinct identities, only 1/);
});
