import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestError, parseManifest } from './manifest.ts';
import { testManifest } from './testing.ts';

test('a valid manifest parses and keeps its limits', () => {
  const m = testManifest();
  assert.equal(m.tokenSize, 8);
  assert.equal(m.limits.maxInstances, 8);
  assert.deepEqual(m.layerKinds, ['cla', 'ica', 'cla']);
});

test('a bad manifest names the folder and every wrong field', () => {
  const good = testManifest();
  const bad = {
    ...good,
    tokenSize: -1,
    layerKinds: ['cla', 'full'],
    limits: { ...good.limits, maxInstances: undefined },
  };
  assert.throws(
    () => parseManifest(bad, 'models/broken'),
    (e: unknown) => {
      assert.ok(e instanceof ManifestError);
      assert.match(e.message, /models\/broken/);
      assert.ok(e.issues.some((i) => i.startsWith('tokenSize:')));
      assert.ok(e.issues.some((i) => i.startsWith('layerKinds[1]:')));
      assert.ok(e.issues.some((i) => i.startsWith('limits.maxInstances:')));
      return true;
    },
  );
});

test('wrong format and inconsistent limits are rejected', () => {
  assert.throws(() => testManifest({ format: 'contextgen-model/2' }), /format/);
  const limits = { ...testManifest().limits, minSide: 200 };
  assert.throws(
    () => testManifest({ limits }),
    /limits\.minSide: minSide 200 is larger than maxSide 128/,
  );
  const odd = { ...testManifest().limits, minSide: 36 };
  assert.throws(() => testManifest({ limits: odd }), /multiples of tokenSize 8/);
});
