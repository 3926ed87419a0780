/**
 * Upload decoding and cutouts in a bounded pool of worker threads: at most `size` images are
 * decoded at once (each can take hundreds of MiB and seconds of CPU), the rest wait their
 * turn, and the main thread keeps answering.
 */
import { availableParallelism } from 'node:os';
import { HttpError } from './http/errors.ts';
import type { ServerLimits } from './options.ts';
import type { UploadMeta } from './storage.ts';
import { ThreadPool } from './threads/pool.ts';
import type { CutoutRequest, ProcessedImage } from './uploads.ts';
import type { CutoutChoice } from '@contextgen/imaging';

export interface ImageTask {
  readonly bytes: Uint8Array;
  readonly name: string;
  readonly format: UploadMeta['format'];
  readonly limits: ServerLimits;
  readonly cutout?: CutoutRequest;
  /** The server's default cutout method (`serve --cutout`); auto when absent. */
  readonly cutoutDefault?: CutoutChoice;
}

export type ProcessImageFn = (task: ImageTask) => Promise<ProcessedImage>;

/** Default pool size: half the cores, 1 to 4. */
export function defaultImageThreads(): number {
  return Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)));
}

export function startImagePool(size = defaultImageThreads()): {
  process: ProcessImageFn;
  close(): Promise<void>;
} {
  const pool = new ThreadPool(new URL('./image-thread.ts', import.meta.url), size);
  return {
    async process(task) {
      try {
        return await pool.run<ProcessedImage>(task);
      } catch (err) {
        const e = err as Error & { statusCode?: number; code?: string; field?: string };
        if (e.name === 'HttpError' && e.statusCode && e.code)
          throw new HttpError(e.statusCode, e.code, e.message, e.field);
        throw err;
      }
    },
    close: () => pool.close(),
  };
}
