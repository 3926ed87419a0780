import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optional, parseGuidance, parseSeed, parseSteps, parseThreads } from './options.ts';

test('numeric options parse within their ranges', () => {
  assert.equal(parseSeed('0'), 0);
  assert.equal(parseSeed('4294967295'), 4294967295);
  assert.equal(parseSteps('12'), 12);
  assert.equal(parseGuidance('3.5'), 3.5);
  assert.equal(parseThreads('2'), 2);
  assert.equal(optional(undefined, parseSeed), undefined);
});

test('--seed -1 and --seed random ask for a random seed', () => {
  assert.equal(parseSeed('-1'), 'random');
  assert.equal(parseSeed('random'), 'random');
  assert.equal(parseSeed('RANDOM'), 'random');
});

test('bad numeric options name the option, the range and the value', () => {
  assert.throws(
    () => parseSeed('abc'),
    /--seed must be a whole number in 0\.\.4294967295, got "abc"/,
  );
  assert.throws(
    () => parseSeed('-2'),
    /--seed must be a whole number in 0\.\.4294967295, got "-2"/,
  );
  assert.throws(() => parseSeed('4294967296'), /--seed must be a whole number/);
  assert.throws(() => parseSteps('2.5'), /--steps must be a whole number in 1\.\.200, got "2\.5"/);
  assert.throws(() => parseGuidance('NaN'), /--guidance must be a number in 0\.\.30/);
  assert.throws(() => parseThreads('0'), /--threads must be a whole number in 1\.\.256/);
  assert.throws(() => parseSteps(''), /--steps/);
});
