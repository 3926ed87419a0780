import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelFromUrl } from './web.ts';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures', 'tiny-model');
const BASE = 'https://models.test/tiny/';

/** Serves the fixture folder under BASE; 404 elsewhere. */
const fixtureFetch = (async (url: string | URL | Request) => {
  const href = String(url);
  if (!href.startsWith(BASE)) return new Response('not found', { status: 404 });
  try {
    return new Response(await readFile(join(FIXTURE, href.slice(BASE.length))), { status: 200 });
  } catch {
    return new Response('not found', { status: 404 });
  }
}) as typeof fetch;

test('the web entry loads a served model folder on onnxruntime-web (wasm) and encodes text', async () => {
  const model = await loadModelFromUrl(BASE.slice(0, -1), { fetch: fixtureFetch });
  try {
    const emb = await model.executor.encodeText(BigInt64Array.from([2n, 16n, 17n]), 1, 3);
    assert.deepEqual(emb.dims, [1, 3, 16]);
    assert.ok(emb.data.every(Number.isFinite));
  } finally {
    await model.executor.dispose();
  }
});

test('a model URL that is not served says which file failed and the HTTP status', async () => {
  await assert.rejects(
    loadModelFromUrl('https://models.test/absent', { fetch: fixtureFetch }),
    /cannot fetch model\.json from https:\/\/models\.test\/absent\/model\.json \(HTTP 404\)/,
  );
});
