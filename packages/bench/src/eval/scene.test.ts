import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backgroundFeatures, classifyScene, fitSceneModel } from './scene.ts';
import { makeRaster } from '../image/raster.ts';

function scene(top: [number, number, number], bottom: [number, number, number], jitter: number) {
  const r = makeRaster(16, 16, 3);
  for (let y = 0; y < 16; y++)
    for (let x = 0; x < 16; x++) {
      const c = y < 8 ? top : bottom;
      for (let k = 0; k < 3; k++) r.data[(y * 16 + x) * 3 + k] = c[k]! + jitter;
    }
  return r;
}

test('background features skip box pixels (with margin) and fall back to the image mean', () => {
  const r = scene([200, 0, 0], [0, 0, 200], 0);
  const f = backgroundFeatures(r, [], 0);
  assert.deepEqual(f.slice(0, 3), [200, 0, 0]);
  assert.deepEqual(f.slice(9, 12), [0, 0, 200]);
  // covering the top half leaves only blue pixels: top bands fall back to the (blue) mean
  const g = backgroundFeatures(r, [[0, 0, 16, 8]], 0);
  assert.deepEqual(g.slice(0, 3), [0, 0, 200]);
});

test('nearest-centroid scene model separates scenes it was fitted on', () => {
  const samples = [];
  for (let j = -3; j <= 3; j++) {
    samples.push({
      scene: 'beach',
      features: backgroundFeatures(scene([120, 180, 240], [230, 210, 160], j), []),
    });
    samples.push({
      scene: 'night',
      features: backgroundFeatures(scene([10, 15, 40], [30, 40, 50], j), []),
    });
  }
  const m = fitSceneModel(samples);
  assert.deepEqual(m.scenes, ['beach', 'night']);
  assert.equal(
    classifyScene(m, backgroundFeatures(scene([115, 175, 235], [225, 205, 150], 0), [])),
    'beach',
  );
  assert.equal(
    classifyScene(m, backgroundFeatures(scene([20, 20, 50], [35, 45, 55], 0), [])),
    'night',
  );
});
