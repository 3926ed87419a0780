/** An executor wrapper for benchmark scripts: adds up the time spent inside the model. */
import { performance } from 'node:perf_hooks';
import type { DenoiserInputs, Executor, ModelManifest } from '@contextgen/core';

/**
 * `inner` with every `encodeText` / `denoise` call timed into `insideMs`. `dispose` does nothing:
 * the caller owns `inner`.
 */
export function timedExecutor(
  inner: Pick<Executor, 'encodeText' | 'denoise'>,
  manifest: ModelManifest,
): Executor & { insideMs: number } {
  const ex = {
    manifest,
    insideMs: 0,
    async encodeText(ids: BigInt64Array, b: number, l: number) {
      const s = performance.now();
      const r = await inner.encodeText(ids, b, l);
      ex.insideMs += performance.now() - s;
      return r;
    },
    async denoise(inputs: DenoiserInputs) {
      const s = performance.now();
      const r = await inner.denoise(inputs);
      ex.insideMs += performance.now() - s;
      return r;
    },
    async dispose() {},
  };
  return ex;
}
