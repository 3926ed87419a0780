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
import { startThreadedRunner } from './jobs/threaded-runner.ts';
import type { JobRunner } from './jobs/types.ts';
import { startImagePool } from './image-pool.ts';
import type { JobQueue } from './jobs/types.ts';
import { readServedModels } from './models.ts';
import {
  DEFAULT_LIMITS,
  DEFAULT_PORT,
  LOOPBACK,
  type ServeOptions,
  type ServerLimits,
} from './options.ts';
import { Storage, type WriteFileFn } from './storage.ts';
import type { RecoveryReport } from './jobs/local-queue.ts';
import { startRetention } from './jobs/retention.ts';
import { isLoopback } from './http/security.ts';

/** The built editor, next to this package. */
export const DEFAULT_WEB_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'web',
  'dist',
);

export type ServeInput = Partial<Omit<ServeOptions, 'limits'>> &
  Pick<ServeOptions, 'modelDirs'> & {
    limits?: Partial<ServerLimits>;
    /** Tests: how storage writes files (to inject failures such as a full disk). */
    storageWrite?: WriteFileFn;
  };

export interface RunningServer {
  /** http://host:port when serving HTTP. */
  readonly url?: string;
  readonly app?: FastifyInstance;
  readonly queue: JobQueue;
  readonly options: ServeOptions;
  /** What the start found unfinished and did about it (in-process queue). */
  readonly recovered?: RecoveryReport;
  /**
   * Stops: takes no new jobs, lets running jobs finish for up to `graceMs` (default
   * options.drainMs), puts the rest back to queued for the next start, ends event streams.
   */
  close(graceMs?: number): Promise<void>;
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
    drainMs: 30_000,
    retentionMs: 0,
    ...input,
    limits: { ...DEFAULT_LIMITS, ...input.limits },
  };
}

/**
 * Refuses to expose an unauthenticated server: a non-loopback address needs a token unless the
 * user said --unsafe-expose-without-token.
 * @throws Error with the two ways out
 */
export function checkExposure(options: ServeOptions): void {
  if (!options.http || isLoopback(options.host) || options.token) return;
  if (options.unsafeExposeWithoutToken) return;
  throw new Error(
    `refusing to listen on ${options.host} without a token: anyone who can reach this address could run jobs and read every upload. ` +
      'Set CONTEXTGEN_TOKEN (clients then send "Authorization: Bearer <token>"), keep the default --host 127.0.0.1, ' +
      'or pass --unsafe-expose-without-token if the network is trusted.',
  );
}

/** The URL of the address the server really listens on. */
export function listenUrl(app: FastifyInstance): string {
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') return String(addr);
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `http://${host}:${addr.port}`;
}

/** How often API processes in Redis mode look for jobs Redis lost. */
const LOST_SWEEP_MS = 30_000;

async function waitForRedis(queue: JobQueue): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await queue.health()).ok) return;
    await new Promise((r) => setTimeout(r, 100).unref());
  }
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
  checkExposure(options);
  const storage = new Storage(options.storageDir, input.storageWrite);
  await storage.init();
  const log = (msg: string) => {
    if (options.log) console.error(`contextgen server: ${msg}`);
  };
  const models = await readServedModels(options.modelDirs, options.allowUntrained, options.worker);
  // Generations run in one thread per model, upload decoding in a small pool: the main
  // thread only answers HTTP.
  const threaded = options.worker
    ? await startThreadedRunner(models, options.stepDelayMs)
    : undefined;
  const runner: JobRunner =
    threaded?.runner ??
    (() => Promise.reject(new Error('this process runs no generations (--no-worker)')));
  const images = options.http ? startImagePool(options.imageThreads) : undefined;

  let queue: JobQueue;
  let recovered: RecoveryReport | undefined;
  let drainQueue: (graceMs: number) => Promise<void>;
  if (options.redis) {
    const { RedisQueue, startRedisWorkers } = await import('./jobs/redis-queue.ts');
    const redisQueue = new RedisQueue(
      options.redis,
      storage,
      models.map((m) => m.name),
      log,
    );
    queue = redisQueue;
    const workers = options.worker
      ? await startRedisWorkers(
          options.redis,
          models.map((m) => m.name),
          runner,
          workerName(),
          storage,
        )
      : undefined;
    if (options.http) {
      // Jobs Redis lost while no API process watched (Redis restarted without its data).
      void waitForRedis(redisQueue).then(() =>
        redisQueue.recoverLost().then(
          (r) =>
            (r.requeued || r.failed) &&
            log(`lost jobs: ${r.requeued} queued again, ${r.failed} failed`),
          () => undefined,
        ),
      );
    }
    // And periodically: a lost job nobody reads (SSE watchers only) is found within a minute.
    const sweep = options.http
      ? setInterval(() => void redisQueue.recoverLost().catch(() => undefined), LOST_SWEEP_MS)
      : undefined;
    sweep?.unref();
    drainQueue = async (graceMs) => {
      clearInterval(sweep);
      await workers?.close(graceMs);
    };
  } else {
    if (!options.worker)
      throw new Error(
        'an API-only process (--no-worker) needs REDIS_URL; without Redis jobs run in the serving process',
      );
    const local = new LocalQueue(storage, runner, workerName(), log);
    recovered = await local.recover(new Set(models.map((m) => m.name)));
    const { requeued, rerun, failed } = recovered;
    if (requeued.length + rerun.length + failed.length > 0)
      log(
        `recovered after a stop: ${requeued.length} queued again, ${rerun.length} interrupted and run again, ${failed.length} failed (${[...rerun, ...failed].join(', ') || 'none interrupted'})`,
      );
    queue = local;
    drainQueue = (graceMs) => local.drain(graceMs);
  }
  const retention =
    options.retentionMs > 0 ? startRetention(storage, queue, options.retentionMs, log) : undefined;

  let app: FastifyInstance | undefined;
  let url: string | undefined;
  if (options.http) {
    app = await buildApp({ options, storage, models, queue, processImage: images!.process });
    await app.listen({ host: options.host, port: options.port });
    url = listenUrl(app);
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    queue,
    options,
    ...(recovered ? { recovered } : {}),
    close(graceMs = options.drainMs) {
      closing ??= (async () => {
        retention?.stop();
        // New submits are refused from here on; status reads keep working while jobs finish.
        await drainQueue(graceMs);
        await app?.close();
        await queue.close();
        await threaded?.close();
        await images?.close();
      })();
      return closing;
    },
  };
}
