import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTokenizer, words } from './tokenizer.ts';

const golden = JSON.parse(
  readFileSync(new URL('../../../spec/tokenizer.json', import.meta.url), 'utf8'),
) as {
  vocab: string[];
  cases: { text: string; maxLength: number; ids: number[] }[];
};

test('spec/tokenizer.json cases (shared with Python)', () => {
  const tok = createTokenizer(golden.vocab);
  assert.ok(golden.cases.length >= 10);
  for (const c of golden.cases)
    assert.deepEqual(tok.encode(c.text, c.maxLength), c.ids, JSON.stringify(c.text));
});

test('words splits on everything outside [a-z0-9]', () => {
  assert.deepEqual(words("It's a 3-D CAT!"), ['it', 's', 'a', '3', 'd', 'cat']);
});

test('a vocabulary without the reserved tokens is rejected', () => {
  assert.throws(() => createTokenizer(['a', 'b', 'c']), /<pad>/);
  assert.throws(() => createTokenizer(golden.vocab).encode('a', 0), /maxLength/);
});
