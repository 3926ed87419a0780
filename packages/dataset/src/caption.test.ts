import assert from 'node:assert/strict';
import { test } from 'node:test';
import { words } from '@contextgen/core';
import { captionVocabulary, makeCaption, relation } from './caption.ts';
import { Rng } from './rng.ts';

const cat = { name: 'cat face', box: [0, 40, 30, 70], z: 0 } as const;
const apple = { name: 'red apple', box: [80, 40, 110, 70], z: 1 } as const;
const rocket = { name: 'rocket', box: [10, 45, 40, 75], z: 2 } as const;
const owl = { name: 'owl', box: [80, 0, 110, 20], z: 0 } as const;

test('relations: overlap gives depth words, otherwise the dominant axis', () => {
  assert.equal(relation(cat, apple), 'left of');
  assert.equal(relation(apple, cat), 'right of');
  assert.equal(relation(cat, rocket), 'behind');
  assert.equal(relation(rocket, cat), 'in front of');
  assert.equal(relation(owl, apple), 'above');
  assert.equal(relation(apple, owl), 'below');
});

test('caption names the scene and every instance with articles', () => {
  const c = makeCaption('underwater', [cat, apple, owl], new Rng(1));
  assert.match(c, /^an underwater scene with a cat face, a red apple and an owl\./);
  assert.equal(makeCaption('beach', [rocket], new Rng(1)), 'a beach scene with a rocket.');
});

test('the vocabulary covers template, scene and name words, sorted', () => {
  const v = captionVocabulary(['cat face', 'piñata', 'keycap: *']);
  for (const w of [
    'a',
    'an',
    'behind',
    'front',
    'underwater',
    'cat',
    'face',
    'pi',
    'ata',
    'keycap',
  ])
    assert.ok(v.includes(w), w);
  assert.deepEqual(v, [...v].sort());
  assert.deepEqual(words('The CAT-face, 2x!'), ['the', 'cat', 'face', '2x']);
});
