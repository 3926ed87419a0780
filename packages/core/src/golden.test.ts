import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { denseMask, maskRows } from './dense-mask.ts';
import { planTokens } from './token-plan.ts';
import type { PixelBox } from './types.ts';

// Tests may read files; the library code under src/ does not.
const dir = new URL('../../../spec/golden/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

interface Golden {
  input: {
    width: number;
    height: number;
    tokenSize: number;
    textTokens: number;
    phraseTokens: number[];
    boxes: PixelBox[];
    refGrids: ({ h: number; w: number; valid: string[] } | null)[];
  };
  expected: {
    seg: number[];
    inst: number[];
    cover: number[];
    valid: number[];
    pos: number[][];
    cla: string[];
    ica: string[];
  };
}

test('there are at least 8 golden cases', () => {
  assert.ok(
    files.length >= 8,
    `only ${files.length} files in spec/golden; run npx tsx scripts/gen-golden.ts`,
  );
});

for (const file of files) {
  test(`golden ${file}: planTokens + allowed reproduce descriptors, pos and masks`, () => {
    const g = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Golden;
    const plan = planTokens({
      ...g.input,
      refGrids: g.input.refGrids.map((r) =>
        r === null ? null : { h: r.h, w: r.w, valid: r.valid.join('').split('').map(Number) },
      ),
    });
    const d = plan.descriptors;
    assert.deepEqual(Array.from(d.seg), g.expected.seg);
    assert.deepEqual(Array.from(d.inst), g.expected.inst);
    assert.deepEqual(Array.from(d.cover), g.expected.cover);
    assert.deepEqual(Array.from(d.valid), g.expected.valid);
    assert.deepEqual(Array.from(plan.pos), g.expected.pos.flat());
    assert.deepEqual(maskRows(denseMask(d, 'cla'), plan.length), g.expected.cla);
    assert.deepEqual(maskRows(denseMask(d, 'ica'), plan.length), g.expected.ica);
  });
}
