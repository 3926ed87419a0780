/**
 * Worker thread of a dataset build: receives shard jobs, renders and writes them, reports
 * progress. Starts itself when loaded as a worker with `workerData.imigSynth` set (this file
 * in development, the single bundled .mjs on the GPU machine).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { RenderContext } from './sample.ts';
import { writeShard } from './shard-writer.ts';
import type { ShardJob } from './shard-writer.ts';

/** What a worker needs: the render settings (without the per-thread sprite cache) and the output folder. */
export interface WorkerInit extends Omit<RenderContext, 'sprites'> {
  readonly imigSynth: true;
  readonly outDir: string;
}

export type WorkerMessage =
  | { readonly kind: 'progress'; readonly samples: number }
  | { readonly kind: 'done'; readonly shard: number; readonly bytes: number }
  | { readonly kind: 'error'; readonly message: string };

const PROGRESS_EVERY = 8;

export function startWorker(): void {
  const init = workerData as WorkerInit;
  const port = parentPort!;
  const ctx: RenderContext = { ...init, sprites: new Map() };
  port.on('message', (job: ShardJob | null) => {
    if (job === null) {
      port.close();
      return;
    }
    try {
      let pending = 0;
      const bytes = writeShard(ctx, job, init.outDir, () => {
        if (++pending === PROGRESS_EVERY) {
          port.postMessage({ kind: 'progress', samples: pending } satisfies WorkerMessage);
          pending = 0;
        }
      });
      if (pending > 0)
        port.postMessage({ kind: 'progress', samples: pending } satisfies WorkerMessage);
      port.postMessage({ kind: 'done', shard: job.shard, bytes } satisfies WorkerMessage);
    } catch (err) {
      port.postMessage({
        kind: 'error',
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      } satisfies WorkerMessage);
    }
  });
}

if (!isMainThread && (workerData as Partial<WorkerInit> | undefined)?.imigSynth === true)
  startWorker();
