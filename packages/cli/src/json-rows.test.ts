import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonRows } from './json-rows.ts';

test('jsonRows prints number arrays on one line and round-trips', () => {
  const value = {
    segments: [{ name: 'text', start: 0 }],
    cla: [
      [1, 0],
      [0, 1],
    ],
    empty: [],
    note: 'x',
  };
  const text = jsonRows(value);
  assert.deepEqual(JSON.parse(text), value);
  assert.ok(text.includes('\n    [1,0],\n    [0,1]\n'), text);
});
