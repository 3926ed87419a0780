/**
 * The JobRunner the queues use: each served model runs in its own worker thread (one
 * generation at a time per model, as the queues schedule them). The main thread reads the
 * job's input files and passes them; progress events and the result come back as messages.
 */
import { ThreadClient } from '../threads/pool.ts';
import type { ServedModel } from '../models.ts';
import type { JobOutput, JobRunner, JobSpec, ProgressReport } from './types.ts';

export interface GenerateTask {
  readonly spec: JobSpec;
  /** `${uploadId}/${file}` -> bytes. */
  readonly inputs: readonly (readonly [string, Uint8Array])[];
}

export interface ThreadedRunner {
  readonly runner: JobRunner;
  close(): Promise<void>;
}

/**
 * Starts one thread per model and waits until each has opened its model.
 * @throws the thread's error when a model cannot be opened
 */
export async function startThreadedRunner(
  models: readonly ServedModel[],
  stepDelayMs: number,
): Promise<ThreadedRunner> {
  const threads = new Map<string, ThreadClient>();
  const module = new URL('./generate-thread.ts', import.meta.url);
  try {
    for (const m of models) {
      const t = new ThreadClient(module, { modelDir: m.folder, stepDelayMs });
      threads.set(m.name, t);
      await t.run({ ping: true });
    }
  } catch (err) {
    await Promise.all([...threads.values()].map((t) => t.close()));
    throw err;
  }
  const runner: JobRunner = async (spec, { signal, onProgress, readInput }) => {
    const thread = threads.get(spec.model);
    if (!thread)
      throw new Error(
        `this worker does not serve model "${spec.model}" (it has ${[...threads.keys()].join(', ')})`,
      );
    const inputs: [string, Uint8Array][] = [];
    for (const inst of spec.request.instances)
      if (inst.reference !== undefined)
        inputs.push([
          `${inst.reference}/cutout.png`,
          await readInput(inst.reference, 'cutout.png'),
        ]);
    if (spec.request.layoutImage !== undefined)
      inputs.push([
        `${spec.request.layoutImage}/original`,
        await readInput(spec.request.layoutImage, 'original'),
      ]);
    return thread.run<JobOutput>({ spec, inputs } satisfies GenerateTask, {
      signal,
      onEvent: (e) => onProgress(e as ProgressReport),
    });
  };
  return {
    runner,
    close: async () => {
      await Promise.all([...threads.values()].map((t) => t.close()));
    },
  };
}
