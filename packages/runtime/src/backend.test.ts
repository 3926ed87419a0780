import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeExecutionProviders, webExecutionProviders } from './backend.ts';

test('device names map to execution providers, with wasm as the web fallback', () => {
  assert.deepEqual(nodeExecutionProviders('cpu'), ['cpu']);
  assert.deepEqual(webExecutionProviders('wasm'), ['wasm']);
  assert.deepEqual(webExecutionProviders('webgpu'), ['webgpu', 'wasm']);
});

test('an unknown device names the choices', () => {
  assert.throws(
    () => nodeExecutionProviders('webgpu'),
    /unknown device "webgpu" for onnxruntime-node; use one of: cpu/,
  );
  assert.throws(() => webExecutionProviders('cuda'), /use one of: wasm, webgpu, webnn/);
});
