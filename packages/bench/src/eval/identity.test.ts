import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlignedCrop } from './identity.ts';
import {
  fitIdentityModel,
  identityFeatures,
  identitySimilarity,
  IDENTITY_FEATURES,
} from './identity.ts';

function crop(seed: number, gain = 1): AlignedCrop {
  const w = 24;
  const h = 24;
  const rgb = new Float32Array(w * h * 3);
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      mask[i] = (x - 12) ** 2 + (y - 12) ** 2 < 110 ? 1 : 0;
      const v = [(x * (7 + seed) + y * 3) % 97, (y * (5 + seed)) % 83, ((x + seed) * (y + 1)) % 71];
      for (let k = 0; k < 3; k++) rgb[i * 3 + k] = Math.min(255, (60 + 1.5 * v[k]!) * gain);
    }
  return { width: w, height: h, rgb, mask };
}

test('a crop agrees with itself on every descriptor, also when uniformly dimmed', () => {
  const f = identityFeatures(crop(1), crop(1));
  assert.equal(f.length, IDENTITY_FEATURES.length);
  for (const v of f) assert.ok(v > 0.999, `self agreement ${f}`);
  const dim = identityFeatures(crop(1), crop(1, 0.7));
  assert.ok(dim[0]! > 0.999 && dim[3]! > 0.999, `NCC and cell NCC ignore gain: ${dim}`);
});

test('a different pattern agrees less on the pattern descriptors', () => {
  const same = identityFeatures(crop(1), crop(1));
  const other = identityFeatures(crop(1), crop(9));
  assert.ok(other[0]! < same[0]! - 0.3, `ncc ${other[0]}`);
  assert.ok(other[3]! < same[3]! - 0.3, `cell ${other[3]}`);
});

test('the fitted logistic model ranks genuine above impostor pairs', () => {
  const samples = [];
  for (let s = 0; s < 6; s++) {
    samples.push({ features: identityFeatures(crop(s), crop(s, 0.8 + 0.05 * s)), genuine: true });
    samples.push({ features: identityFeatures(crop(s), crop(s + 7)), genuine: false });
  }
  const model = fitIdentityModel(samples, 2000);
  const g = identitySimilarity(model, identityFeatures(crop(20), crop(20, 0.9)));
  const i = identitySimilarity(model, identityFeatures(crop(20), crop(31)));
  assert.ok(g > 50 && i < 50 && g <= 100 && i >= 0, `genuine ${g} impostor ${i}`);
});
