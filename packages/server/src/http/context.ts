import type { ServedModel } from '../models.ts';
import type { ServeOptions } from '../options.ts';
import type { Storage } from '../storage.ts';
import type { JobQueue } from '../jobs/types.ts';

/** What route handlers share. */
export interface AppContext {
  readonly options: ServeOptions;
  readonly storage: Storage;
  readonly models: readonly ServedModel[];
  readonly queue: JobQueue;
}
