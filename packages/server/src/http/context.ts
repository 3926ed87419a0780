import type { ServedModel } from '../models.ts';
import type { ServeOptions } from '../options.ts';
import type { Storage } from '../storage.ts';
import type { JobQueue } from '../jobs/types.ts';
import type { ProcessImageFn } from '../image-pool.ts';

/** What route handlers share. */
export interface AppContext {
  readonly options: ServeOptions;
  readonly storage: Storage;
  readonly models: readonly ServedModel[];
  readonly queue: JobQueue;
  /** Decodes an upload and makes its cutout (in the image threads). */
  readonly processImage: ProcessImageFn;
}
