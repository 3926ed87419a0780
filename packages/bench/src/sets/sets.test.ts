import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAtlas } from '@contextgen/dataset';
import { loadSet } from './set-files.ts';
import { CaseRenderer } from './render-case.ts';
import { selectCases, worstOcclusion } from './make-set.ts';
import { SET_SPECS } from './catalog.ts';

const atlas = loadAtlas();
const heldout = new Set(atlas.heldout);

function counts(levels: number[]): Record<number, number> {
  const c: Record<number, number> = {};
  for (const l of levels) c[l] = (c[l] ?? 0) + 1;
  return c;
}

test('committed sets have the promised shape and identity pools', () => {
  const h = loadSet('heldout');
  assert.equal(h.cases.length, 800);
  assert.deepEqual(counts(h.cases.map((c) => c.level)), { 2: 160, 3: 160, 4: 160, 5: 160, 6: 160 });
  assert.ok(
    h.cases.every(
      (c) => c.instances.length === c.level && c.instances.every((i) => heldout.has(i.identity)),
    ),
  );
  const t = loadSet('train-ids');
  assert.equal(t.cases.length, 800);
  assert.ok(t.cases.every((c) => c.instances.every((i) => !heldout.has(i.identity))));
  const crowded = loadSet('crowded');
  assert.deepEqual(counts(crowded.cases.map((c) => c.level)), { 7: 40, 8: 40 });
  assert.equal(new Set(h.cases.map((c) => c.id)).size, 800);
  // levels do not share random streams: L2 and L3 case 0 differ in scene or identities
  const a = h.cases.find((c) => c.id === 'heldout-L2-000')!;
  const b = h.cases.find((c) => c.id === 'heldout-L3-000')!;
  assert.ok(a.scene !== b.scene || a.instances[0]!.identity !== b.instances[0]!.identity);
});

test('stored layouts still match the renderer, and the selection rule is deterministic', () => {
  for (const name of ['heldout', 'train-ids', 'crowded']) {
    const set = loadSet(name);
    const r = new CaseRenderer(atlas, set);
    for (const c of [set.cases[0]!, set.cases[set.cases.length - 1]!]) {
      const out = r.render(c);
      assert.ok(worstOcclusion(out.boxes, out.z) <= set.selection.maxOccluded);
    }
  }
  const spec = SET_SPECS.find((s) => s.name === 'heldout')!;
  const again = selectCases(
    new CaseRenderer(atlas, spec),
    spec,
    [{ level: 3, count: 4 }],
    spec.maxOccluded,
  );
  assert.deepEqual(
    again,
    loadSet('heldout')
      .cases.filter((c) => c.level === 3)
      .slice(0, 4),
  );
});

test('a case whose stored layout differs from the render is refused with the fix', () => {
  const set = loadSet('heldout');
  const c = set.cases[0]!;
  const tampered = {
    ...c,
    instances: c.instances.map((i, j) =>
      j === 0 ? { ...i, box: [0, 0, 5, 5] as [number, number, number, number] } : i,
    ),
  };
  assert.throws(
    () => new CaseRenderer(atlas, set).render(tampered),
    /no longer renders to its stored layout.*make-sets/,
  );
});
