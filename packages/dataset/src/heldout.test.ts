import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chooseHeldout, splitIdentityIndices } from './heldout.ts';
import { computeHeldoutFile, HELDOUT_PATH } from './heldout-file.ts';
import type { Identity } from './identities.ts';

test('the committed heldout.json matches the deterministic rule over the installed emoji data', () => {
  const committed = JSON.parse(readFileSync(HELDOUT_PATH, 'utf8')) as unknown;
  assert.deepEqual(committed, computeHeldoutFile());
});

test('about 15% held out, spread over every category', () => {
  const f = computeHeldoutFile();
  assert.ok(f.identities >= 1600 && f.identities <= 1900, `${f.identities} identities`);
  assert.ok(Math.abs(f.count / f.identities - 0.15) < 0.01, `${f.count} held out`);
});

test('the rule takes floor(0.15 n) per category, evenly spaced', () => {
  const ids: Identity[] = [];
  for (let i = 0; i < 20; i++) ids.push({ key: `a${i}`, name: `a ${i}`, category: 'A', image: '' });
  for (let i = 0; i < 7; i++) ids.push({ key: `b${i}`, name: `b ${i}`, category: 'B', image: '' });
  const held = chooseHeldout(ids);
  assert.deepEqual(held, ['a6', 'a13', 'a19', 'b6']); // floor(20*0.15) = 3, floor(7*0.15) = 1
  const train = splitIdentityIndices(ids, new Set(held), 'train');
  const test_ = splitIdentityIndices(ids, new Set(held), 'heldout');
  assert.equal(train.length + test_.length, ids.length);
  assert.ok(train.every((i) => !test_.includes(i)));
});
