/**
 * A generation thread: opens one model's ONNX sessions and runs its jobs (decoding the input
 * images, sampling, progress previews, PNG encoding), so the main thread stays free for HTTP.
 */
import { workerData } from 'node:worker_threads';
import { openModels, readServedModel } from '../models.ts';
import { serveTasks } from '../threads/serve-tasks.ts';
import { createRunner } from './runner.ts';
import type { GenerateTask } from './threaded-runner.ts';

const { modelDir, stepDelayMs } = workerData as { modelDir: string; stepDelayMs: number };
const runnable = await openModels([await readServedModel(modelDir)], stepDelayMs);
const runner = createRunner(runnable);

serveTasks(async (task, { signal, emit }) => {
  const t = task as GenerateTask | { ping: true };
  if ('ping' in t) return { result: [...runnable.keys()] };
  const inputs = new Map(t.inputs);
  const out = await runner(t.spec, {
    signal,
    onProgress: emit,
    readInput: async (upload, file) => {
      const bytes = inputs.get(`${upload}/${file}`);
      if (!bytes)
        throw new Error(`upload ${upload} (${file}) was not passed to the generation thread`);
      return bytes;
    },
  });
  return { result: out };
});
