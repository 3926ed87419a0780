/**
 * Starting a server process: read the models, open storage and the queue (in-process or
 * Redis), run workers, listen. `serve` is what `contextgen serve` calls.
 */
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './http/app.ts';
import { LocalQueue } from './jobs/local-queue.ts';
import { createRunner } from './jobs/runner.ts';
import type { JobQueue } from './jobs/types.ts';
import { openModels, readServedModels } from './models.ts';
import {
  DEFAULT_LIMITS,
  DEFAULT_PORT,
  LOOPBACK,
  type ServeOptions,
  type ServerLimits,
} from './options.ts';
import { Storage } from './storage.ts';

/** The built editor, next to this package. */
export const DEFAULT_WEB_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'web',
  'dist',
);

export type ServeInput = Partial<Omit<ServeOptions, 'limits'>> &
  Pick<ServeOptions, 'modelDirs'> & { limits?: Partial<ServerLimits> };

export interface RunningServer {
  /** http://host:port when serving HTTP. */
  readonly url?: string;
  readonly app?: FastifyInstance;
  readonly queue: JobQueue;
  readonly options: ServeOptions;
  close(): Promise<void>;
}

export function completeOptions(input: ServeInput): ServeOptions {
  return {
    host: LOOPBACK,
    port: DEFAULT_PORT,
    allowUntrained: false,
    storageDir: join(process.cwd(), 'data', 'server'),
    http: true,
    worker: true,
    webDir: DEFAULT_WEB_DIR,
    stepDelayMs: 0,
    log: false,
    ...input,
    limits: { ...DEFAULT_LIMITS, ...input.limits },
  };
}

export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * Start the server (and/or worker) described by `input`.
 * @throws Error with the fix when a model is missing or untrained without --allow-untrained
 */
export async function serve(input: ServeInput): Promise<RunningServer> {
  const options = completeOptions(input);
  const storage = new Storage(options.storageDir);
  await storage.init();
  const models = await readServedModels(options.modelDirs, options.allowUntrained, options.worker);
  const runnable = options.worker ? await openModels(models, options.stepDelayMs) : new Map();
  const runner = createRunner(runnable);

  let queue: JobQueue;
  const closers: (() => Promise<void>)[] = [];
  if (options.redis) {
    const { RedisQueue, startRedisWorkers } = await import('./jobs/redis-queue.ts');
    queue = new RedisQueue(
      options.redis,
      storage,
      models.map((m) => m.name),
    );
    if (options.worker) {
      const workers = await startRedisWorkers(
        options.redis,
        [...runnable.keys()],
        runner,
        workerName(),
      );
      closers.push(() => workers.close());
    }
  } else {
    if (!options.worker)
      throw new Error(
        'an API-only process (--no-worker) needs REDIS_URL; without Redis jobs run in the serving process',
      );
    queue = new LocalQueue(storage, runner, workerName());
  }

  let app: FastifyInstance | undefined;
  let url: string | undefined;
  if (options.http) {
    app = await buildApp({ options, storage, models, queue });
    url = await app.listen({ host: options.host, port: options.port });
  }
  return {
    url,
    app,
    queue,
    options,
    async close() {
      await app?.close();
      for (const c of closers) await c();
      await queue.close();
      for (const m of runnable.values()) await m.generator.dispose();
    },
  };
}
