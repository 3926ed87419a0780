import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isId, newId } from './ids.ts';

test('new ids match their pattern and differ', () => {
  const a = newId('upl');
  const b = newId('upl');
  assert.ok(isId('upl', a));
  assert.notEqual(a, b);
  assert.ok(isId('job', newId('job')));
  assert.equal(isId('job', a), false, 'an upload id is not a job id');
});

test('path-like or malformed names are rejected', () => {
  for (const bad of [
    '../etc/passwd',
    'upl_../../x',
    'upl_AAAAAAAAAAAAAAAAAAAA',
    'upl_aaaaaaaaaaaaaaaaaaa',
    `upl_${'a'.repeat(20)}/`,
    `upl_${'a'.repeat(20)}\n`,
    '',
    42,
  ]) {
    assert.equal(isId('upl', bad), false, String(bad));
  }
});
