/**
 * @contextgen/runtime, browser entry: the same executor on `onnxruntime-web`. A model is a URL
 * prefix under which model.json, the vocabulary and the ONNX files are served.
 */
import * as ort from 'onnxruntime-web';
import { parseManifest } from '@contextgen/core';
import { webExecutionProviders, type WebDevice } from './backend.ts';
import { openModel, type LoadedModel } from './ort-executor.ts';
import { parseVocab } from './vocab.ts';

export interface WebLoadOptions {
  /** 'wasm' (default), 'webgpu' or 'webnn'; accelerated ones fall back to wasm. */
  readonly device?: WebDevice;
  /** WebAssembly threads (needs cross-origin isolation; default 1). */
  readonly threads?: number;
  readonly fetch?: typeof fetch;
}

async function fetchOk(f: typeof fetch, url: string, what: string): Promise<Response> {
  const res = await f(url);
  if (!res.ok)
    throw new Error(
      `cannot fetch ${what} from ${url} (HTTP ${res.status}); check that the model folder is served there`,
    );
  return res;
}

/** Load a model served at `baseUrl` (a folder URL ending in `/` or not). */
export async function loadModelFromUrl(
  baseUrl: string,
  options: WebLoadOptions = {},
): Promise<LoadedModel> {
  const f = options.fetch ?? fetch;
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const manifest = parseManifest(
    await (await fetchOk(f, `${base}model.json`, 'model.json')).json(),
    base,
  );
  const vocabUrl = `${base}${manifest.tokenizer.vocab}`;
  const vocab = parseVocab(await (await fetchOk(f, vocabUrl, 'the vocabulary')).json(), vocabUrl);
  const bytes = async (file: string): Promise<Uint8Array> =>
    new Uint8Array(await (await fetchOk(f, `${base}${file}`, file)).arrayBuffer());
  ort.env.wasm.numThreads = options.threads ?? 1;
  return openModel(
    ort,
    manifest,
    vocab,
    {
      label: base,
      textEncoder: await bytes(manifest.files.textEncoder),
      denoiser: await bytes(manifest.files.denoiser),
    },
    {
      executionProviders: webExecutionProviders(options.device ?? 'wasm'),
      graphOptimizationLevel: 'all',
    },
  );
}

export { OrtExecutor, type LoadedModel } from './ort-executor.ts';
export { ModelIoError } from './io-check.ts';
export { ModelRunError } from './describe-feeds.ts';
export { WEB_DEVICES, type WebDevice } from './backend.ts';
