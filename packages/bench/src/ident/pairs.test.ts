import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAtlas } from '@contextgen/dataset';
import { makeRaster } from '../image/raster.ts';
import { identityPairs, mosaicRaster, trainingPool, PAIR_KINDS } from './pairs.ts';

const atlas = loadAtlas();

test('the training pool never holds held-out or excluded identities', () => {
  const held = new Set(atlas.heldout);
  const exclude = new Set([atlas.identities.find((i) => !held.has(i.key))!.key]);
  const pool = trainingPool(atlas, exclude);
  assert.ok(pool.length > 1000);
  for (const i of pool) {
    const key = atlas.identities[i]!.key;
    assert.ok(!held.has(key) && !exclude.has(key), key);
  }
  assert.equal(pool.length, atlas.identities.length - held.size - 1);
});

test('pairs: every kind appears, identities are training ones, the export is deterministic', () => {
  const held = new Set(atlas.heldout.map((k) => atlas.identities.findIndex((i) => i.key === k)));
  const run = () => [...identityPairs(atlas, { samples: 3, seed: 5 })];
  const a = run();
  assert.deepEqual(new Set(a.map((p) => p.kind)), new Set(PAIR_KINDS));
  for (const p of a) {
    assert.ok(!held.has(p.identity), `held-out identity ${p.identity} in the training pairs`);
    assert.equal(p.reference.length, 4 * 32 * 32);
    assert.equal(p.crop.length, 4 * 32 * 32);
  }
  const b = run();
  assert.deepEqual(
    b.map((p) => [p.kind, p.identity, Buffer.from(p.crop).toString('base64')]),
    a.map((p) => [p.kind, p.identity, Buffer.from(p.crop).toString('base64')]),
  );
});

test('an export of some kinds gives the same pairs of those kinds as the full export', () => {
  const full = [...identityPairs(atlas, { samples: 2, seed: 5 })];
  const some = [
    ...identityPairs(atlas, { samples: 2, seed: 5, kinds: new Set(['noise', 'blurred'] as const) }),
  ];
  assert.deepEqual(new Set(some.map((p) => p.kind)), new Set(['noise', 'blurred']));
  const key = (p: (typeof full)[number]) => `${p.kind}:${Buffer.from(p.crop).toString('base64')}`;
  assert.deepEqual(
    some.map(key),
    full.filter((p) => p.kind === 'noise' || p.kind === 'blurred').map(key),
  );
});

test('mosaic averages each cell', () => {
  const r = makeRaster(4, 2, 1);
  r.data.set([0, 2, 10, 10, 4, 6, 10, 30]);
  assert.deepEqual([...mosaicRaster(r, 2).data], [3, 3, 15, 15, 3, 3, 15, 15]);
});
