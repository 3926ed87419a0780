/**
 * The Redis-backed queue (BullMQ): one queue per model, shared by every API and worker process
 * that points at the same REDIS_URL **and the same storage folder** (one disk, or a shared
 * file system such as NFS): uploads, job records, input snapshots and results live there, so
 * any API process answers for any job and a job in Redis is only its id, model and request.
 *
 * - A worker holds a lock on its job and renews it; when a worker dies the lock lapses, another
 *   worker's stalled-job check puts the job back, and it runs again (the record counts starts).
 * - The worker writes the job's record (running, then final) and its images to storage.
 * - Redis is not the source of truth: a job whose record says queued/running but that Redis no
 *   longer has (Redis restarted without persistence) is found by `recoverLost` (at start, on
 *   every reconnect, and when its status is read) and queued again, or failed after
 *   MAX_ATTEMPTS starts, with `recovery` saying which.
 * - While Redis is unreachable every call that needs it fails at once with QueueUnavailable
 *   (HTTP 503); nothing waits for a reconnect.
 */
import { Job, Queue, QueueEvents, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { RedisOptions } from '../options.ts';
import type { Storage } from '../storage.ts';
import {
  isCancellation,
  jobErrorOf,
  outcomeResult,
  removeOutput,
  storageErrorMessage,
} from './finish.ts';
import { MAX_ATTEMPTS } from './local-queue.ts';
import {
  FINAL_STATUSES,
  QueueUnavailable,
  SubmitRefused,
  type JobEvent,
  type JobOutcome,
  type JobQueue,
  type JobRecord,
  type JobRunner,
  type JobSpec,
} from './types.ts';

/** BullMQ queue name for a model (letters, digits, - and _ only). */
export function queueName(model: string): string {
  return `generate-${model.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

const cancelChannel = (o: RedisOptions) => `${o.prefix}:cancel`;
const submitLock = (o: RedisOptions) => `${o.prefix}:submit-lock`;

/** Unfinished records younger than this are not treated as lost by a sweep. */
const SUBMIT_GRACE_MS = 30_000;

/** How long an API call waits for Redis before answering 503. */
const REDIS_TIMEOUT_MS = 5000;

/** A connection for blocking use (workers, event streams): retries until Redis is back. */
function blockingConnection(o: RedisOptions): Redis {
  return new Redis(o.url, { maxRetriesPerRequest: null });
}

/**
 * A connection for API calls: no offline queue, so a command issued while Redis is down fails
 * at once instead of running later (a submit answered 503 must never enqueue afterwards).
 */
function apiConnection(o: RedisOptions): Redis {
  return new Redis(o.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
}

interface WorkerProgress {
  readonly step: number;
  readonly total: number;
  readonly preview?: string;
  readonly worker?: string;
}

function jobSpec(record: JobRecord): JobSpec {
  return { id: record.id, model: record.model, request: record.request };
}

async function saveRecord(storage: Storage, record: JobRecord): Promise<void> {
  await storage.writeJobFile(record.id, 'job.json', JSON.stringify(record, null, 2));
}

export class RedisQueue implements JobQueue {
  readonly kind = 'redis' as const;
  readonly #o: RedisOptions;
  readonly #storage: Storage;
  readonly #queues = new Map<string, Queue>();
  readonly #events = new Map<string, QueueEvents>();
  readonly #conns: Redis[] = [];
  readonly #api: Redis;
  readonly #listeners = new Map<string, Set<(e: JobEvent) => void>>();
  readonly #subscribedModel = new Map<string, string>();
  readonly #log: (msg: string) => void;
  #sweeping: Promise<unknown> | undefined;

  constructor(
    options: RedisOptions,
    storage: Storage,
    models: readonly string[],
    log: (msg: string) => void = () => {},
  ) {
    this.#o = options;
    this.#storage = storage;
    this.#log = log;
    this.#api = this.#track(apiConnection(options));
    // After every reconnect, look for jobs Redis lost while it was away.
    let wasReady = false;
    this.#api.on('ready', () => {
      if (wasReady) void this.recoverLost().catch(() => undefined);
      wasReady = true;
    });
    this.#api.on('error', () => undefined); // reported by health(); ioredis reconnects
    for (const model of models) {
      const name = queueName(model);
      const conn = this.#track(apiConnection(options));
      conn.on('error', () => undefined);
      const queue = new Queue(name, { connection: conn, prefix: options.prefix });
      queue.on('error', () => undefined);
      this.#queues.set(model, queue);
      const events = new QueueEvents(name, {
        connection: this.#track(blockingConnection(options)),
        prefix: options.prefix,
      });
      events.on('error', () => undefined);
      this.#events.set(model, events);
      events.on('active', ({ jobId }) => {
        this.#emit(jobId, { type: 'started', worker: '' });
        void this.#announcePositions(model).catch(() => undefined);
      });
      events.on('progress', ({ jobId, data }) => {
        const p = data as WorkerProgress;
        if (p.step === 0) return; // the worker's hello: the job has started
        this.#emit(jobId, {
          type: 'progress',
          step: p.step,
          total: p.total,
          ...(p.preview ? { preview: p.preview } : {}),
        });
      });
      const settle = (jobId: string) => {
        if (!this.#listeners.has(jobId)) return;
        void this.#storage.readJobRecord<JobRecord>(jobId).then(
          (job) =>
            job && FINAL_STATUSES.includes(job.status) && this.#emit(jobId, { type: 'done', job }),
          () => undefined,
        );
      };
      events.on('completed', ({ jobId }) => settle(jobId));
      events.on('failed', ({ jobId }) => settle(jobId));
      events.on('removed', ({ jobId }) => settle(jobId));
    }
  }

  #track(c: Redis): Redis {
    this.#conns.push(c);
    return c;
  }

  #queue(model: string): Queue {
    const q = this.#queues.get(model);
    if (!q) throw new Error(`model "${model}" has no queue on this server`);
    return q;
  }

  /** Runs a Redis call, failing fast (QueueUnavailable) when Redis is down or slow. */
  async #redis<T>(what: string, f: () => Promise<T>): Promise<T> {
    if (this.#api.status !== 'ready') throw this.#down(`not connected (${this.#api.status})`);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        f(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(this.#down(`no answer to ${what} within ${REDIS_TIMEOUT_MS} ms`)),
            REDIS_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (err) {
      if (err instanceof QueueUnavailable || err instanceof SubmitRefused) throw err;
      if (this.#api.status !== 'ready') throw this.#down(String((err as Error).message));
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  #down(detail: string): QueueUnavailable {
    const where = new URL(this.#o.url).host;
    return new QueueUnavailable(`the job queue (Redis at ${where}) is unreachable: ${detail}`);
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    try {
      await this.#redis('PING', () => this.#api.ping());
      return { ok: true };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }

  async submit(spec: JobSpec, maxActive: number): Promise<JobRecord> {
    const record: JobRecord = {
      id: spec.id,
      model: spec.model,
      status: 'queued',
      createdAt: new Date().toISOString(),
      request: spec.request,
    };
    // Stored first (the source of truth); the caller removes it if the enqueue is refused.
    await saveRecord(this.#storage, record);
    await this.#withSubmitLock(async () => {
      const active = await this.#countActive();
      if (active >= maxActive)
        throw new SubmitRefused(
          429,
          'queue_full',
          `the queue is full (${maxActive} jobs waiting or running); try again when some finish`,
        );
      await this.#queue(spec.model).add('generate', spec, {
        jobId: spec.id,
        attempts: 1,
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 3600 },
      });
    });
    // Enqueued: from here on the job is accepted, whatever a status read says.
    return (await this.get(spec.id).catch(() => undefined)) ?? record;
  }

  /** Count and enqueue under one Redis lock, so concurrent submits (any process) cannot pass the cap. */
  async #withSubmitLock(f: () => Promise<void>): Promise<void> {
    const key = submitLock(this.#o);
    const me = randomUUID();
    const end = Date.now() + 15_000; // other submits hold it for milliseconds each
    for (;;) {
      const got = await this.#redis('SET NX', () => this.#api.set(key, me, 'PX', 5000, 'NX'));
      if (got === 'OK') break;
      if (Date.now() > end) throw this.#down('the submit lock stayed taken');
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 15));
    }
    try {
      await f();
    } finally {
      await this.#api
        .eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
          1,
          key,
          me,
        )
        .catch(() => undefined);
    }
  }

  async #countActive(): Promise<number> {
    let n = 0;
    for (const q of this.#queues.values()) {
      const c = await this.#redis('getJobCounts', () =>
        q.getJobCounts('waiting', 'prioritized', 'active', 'delayed'),
      );
      n += Object.values(c).reduce((a, b) => a + b, 0);
    }
    return n;
  }

  /** Position from the ids in the wait list only (no job payload is read). */
  async #position(model: string, id: string): Promise<number> {
    const q = this.#queue(model);
    const [ids, active] = await this.#redis('position', () =>
      Promise.all([q.getRanges(['prioritized', 'wait'], 0, -1, true), q.getActiveCount()]),
    );
    const k = ids.indexOf(id);
    return (k < 0 ? ids.length : k) + 1 + Math.min(active, 1);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const stored = await this.#storage.readJobRecord<JobRecord>(id);
    if (!stored || FINAL_STATUSES.includes(stored.status)) return stored;
    const q = this.#queue(stored.model);
    const state = await this.#redis('getState', () => q.getJobState(id));
    if (state === 'unknown') {
      // Not in Redis: lost (Redis restarted without persistence) or just finished; re-read.
      const again = await this.#storage.readJobRecord<JobRecord>(id);
      if (!again || FINAL_STATUSES.includes(again.status)) return again;
      return this.#requeueLost(again);
    }
    if (state === 'active') {
      const job = await this.#redis('getJob', () => Job.fromId<JobSpec, JobOutcome>(q, id));
      const progress = (typeof job?.progress === 'object' ? job.progress : undefined) as
        WorkerProgress | undefined;
      return {
        ...stored,
        status: 'running',
        ...(progress?.worker ? { worker: progress.worker } : {}),
        ...(progress && progress.total > 0
          ? { progress: { step: progress.step, total: progress.total } }
          : {}),
        startedAt: stored.startedAt ?? new Date(job?.processedOn ?? Date.now()).toISOString(),
      };
    }
    if (state === 'completed' || state === 'failed') {
      // The worker writes the final record before it reports; wait for it briefly.
      return (await this.#storage.readJobRecord<JobRecord>(id)) ?? stored;
    }
    return { ...stored, status: 'queued', position: await this.#position(stored.model, id) };
  }

  /** Queues a lost job again, or fails it when it has had its starts. */
  async #requeueLost(rec: JobRecord): Promise<JobRecord> {
    const attempts = rec.attempts ?? 0;
    if (rec.status === 'running' && attempts >= MAX_ATTEMPTS) {
      const failed: JobRecord = {
        ...rec,
        status: 'failed',
        error: {
          message: `the job queue lost this job while it was running, ${attempts} times; it is not run again automatically (submit it again)`,
        },
        recovery: `lost by the queue (Redis) on attempt ${attempts} of ${MAX_ATTEMPTS}: failed`,
        finishedAt: new Date().toISOString(),
      };
      await saveRecord(this.#storage, failed);
      this.#emit(rec.id, { type: 'done', job: failed });
      return failed;
    }
    const queued: JobRecord = {
      ...rec,
      status: 'queued',
      progress: undefined,
      worker: undefined,
      startedAt: undefined,
      recovery:
        rec.status === 'running'
          ? `lost by the queue (Redis) while running on attempt ${attempts} of ${MAX_ATTEMPTS}: queued again, runs from the start`
          : 'lost by the queue (Redis restarted without its data) while waiting: queued again',
    };
    await saveRecord(this.#storage, queued);
    // The job id makes this idempotent: a job Redis still has is not added twice.
    await this.#redis('add', () =>
      this.#queue(rec.model).add('generate', jobSpec(rec), {
        jobId: rec.id,
        attempts: 1,
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 3600 },
      }),
    );
    this.#log(`job ${rec.id}: ${queued.recovery}`);
    return { ...queued, position: await this.#position(rec.model, rec.id).catch(() => undefined) };
  }

  /**
   * Finds every unfinished job in storage that Redis does not know and queues it again (or
   * fails it). Runs at start and after every reconnect; one sweep at a time.
   */
  async recoverLost(): Promise<{ requeued: number; failed: number }> {
    const run = async () => {
      let requeued = 0;
      let failed = 0;
      for (const id of await this.#storage.jobIds()) {
        const rec = await this.#storage.readJobRecord<JobRecord>(id).catch(() => undefined);
        if (!rec || FINAL_STATUSES.includes(rec.status) || !this.#queues.has(rec.model)) continue;
        // A record younger than this may be a submit between its write and its enqueue.
        if (Date.now() - Date.parse(rec.createdAt) < SUBMIT_GRACE_MS) continue;
        const state = await this.#redis('getState', () => this.#queue(rec.model).getJobState(id));
        if (state !== 'unknown') continue;
        const again = await this.#storage.readJobRecord<JobRecord>(id);
        if (!again || FINAL_STATUSES.includes(again.status)) continue;
        const after = await this.#requeueLost(again);
        if (after.status === 'failed') failed++;
        else requeued++;
      }
      return { requeued, failed };
    };
    while (this.#sweeping) await this.#sweeping.catch(() => undefined);
    const p = run();
    this.#sweeping = p;
    try {
      return await p;
    } finally {
      this.#sweeping = undefined;
    }
  }

  async cancel(id: string): Promise<JobRecord | undefined> {
    const record = await this.get(id);
    if (!record || FINAL_STATUSES.includes(record.status)) return record;
    const job = await this.#redis('getJob', () => Job.fromId(this.#queue(record.model), id));
    if (record.status === 'queued' && job) {
      try {
        await this.#redis('remove', () => job.remove());
        const done: JobRecord = {
          ...record,
          status: 'cancelled',
          position: undefined,
          finishedAt: new Date().toISOString(),
        };
        await saveRecord(this.#storage, done);
        this.#emit(id, { type: 'done', job: done });
        return done;
      } catch (err) {
        if (err instanceof QueueUnavailable) throw err;
        // it became active meanwhile (locked): cancel it in its worker below
      }
    }
    await this.#redis('publish', () => this.#api.publish(cancelChannel(this.#o), id));
    // Wait briefly for the worker's answer, so the client learns what happened.
    const end = Date.now() + 3000;
    while (Date.now() < end) {
      const now = await this.#storage.readJobRecord<JobRecord>(id);
      if (now && FINAL_STATUSES.includes(now.status)) return now;
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.get(id);
  }

  async remove(id: string): Promise<boolean> {
    const record = await this.#storage.readJobRecord<JobRecord>(id);
    if (!record) return true;
    if (!FINAL_STATUSES.includes(record.status)) return false;
    if (this.#queues.has(record.model)) {
      const job = await this.#redis('getJob', () => Job.fromId(this.#queue(record.model), id));
      if (job) await this.#redis('remove', () => job.remove()).catch(() => undefined);
    }
    await this.#storage.removeJob(id);
    return true;
  }

  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    const set = this.#listeners.get(id) ?? new Set();
    set.add(listener);
    this.#listeners.set(id, set);
    void this.#storage.readJobRecord<JobRecord>(id).then(
      (r) => r && this.#subscribedModel.set(id, r.model),
      () => undefined,
    );
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.#listeners.delete(id);
        this.#subscribedModel.delete(id);
      }
    };
  }

  async #announcePositions(model: string): Promise<void> {
    for (const [id, m] of this.#subscribedModel) {
      if (m !== model) continue;
      if ((await this.#queue(model).getJobState(id)) === 'waiting')
        this.#emit(id, { type: 'queued', position: await this.#position(model, id) });
    }
  }

  #emit(id: string, e: JobEvent): void {
    for (const l of this.#listeners.get(id) ?? []) l(e);
  }

  async activeCount(): Promise<number> {
    return this.#countActive();
  }

  async load(model: string): Promise<{ queued: number; running: number }> {
    const c = await this.#redis('getJobCounts', () =>
      this.#queue(model).getJobCounts('waiting', 'prioritized', 'active'),
    );
    return { queued: (c.waiting ?? 0) + (c.prioritized ?? 0), running: c.active ?? 0 };
  }

  async close(): Promise<void> {
    for (const e of this.#events.values()) await e.close().catch(() => undefined);
    for (const q of this.#queues.values()) await q.close().catch(() => undefined);
    for (const c of this.#conns) c.disconnect();
  }
}

export interface RedisWorkers {
  /** Stops taking jobs; lets running ones finish for up to `graceMs`, then stops them (they run again elsewhere). */
  close(graceMs?: number): Promise<void>;
}

/**
 * Runs jobs from the shared queues, one at a time per model in this process, reading inputs
 * from and writing results and records to the shared storage. Listens on the cancel channel to
 * abort its running job when asked.
 */
export async function startRedisWorkers(
  o: RedisOptions,
  models: readonly string[],
  runner: JobRunner,
  workerName: string,
  storage: Storage,
): Promise<RedisWorkers> {
  const conns: Redis[] = [];
  const conn = () => {
    const c = blockingConnection(o);
    c.on('error', () => undefined);
    conns.push(c);
    return c;
  };
  const running = new Map<string, AbortController>();
  let stopping = false;
  const sub = conn();
  await sub.subscribe(cancelChannel(o));
  sub.on('message', (_channel: string, id: string) => running.get(id)?.abort());

  const runJob = async (job: Job<JobSpec, JobOutcome>, token?: string): Promise<JobOutcome> => {
    const id = job.id!;
    const stored = await storage.readJobRecord<JobRecord>(id);
    if (!stored || FINAL_STATUSES.includes(stored.status))
      throw new UnrecoverableError(
        JSON.stringify({
          message: `job ${id} has no unfinished record in this worker's storage (${storage.root}); every process must share one storage folder`,
        }),
      );
    const attempts = (stored.attempts ?? 0) + 1;
    const started: JobRecord = {
      ...stored,
      status: 'running',
      position: undefined,
      startedAt: new Date().toISOString(),
      worker: workerName,
      attempts,
    };
    let progress: { step: number; total: number } | undefined;
    const finish = async (rec: JobRecord) => {
      try {
        await saveRecord(
          storage,
          rec.status === 'running' || rec.status === 'queued' || !progress
            ? rec
            : { ...rec, progress },
        );
      } catch (err) {
        // Nothing else can record it; BullMQ keeps the failure reason for the API.
        throw new UnrecoverableError(
          JSON.stringify({
            message: `could not store the job's final record: ${storageErrorMessage(err)}`,
          }),
        );
      }
    };
    if (attempts > MAX_ATTEMPTS) {
      const error = {
        message: `this job was interrupted ${attempts - 1} times (its worker stopped); it is not run again automatically (submit it again)`,
      };
      await finish({
        ...started,
        attempts: attempts - 1,
        status: 'failed',
        error,
        recovery: `interrupted on attempt ${attempts - 1} of ${MAX_ATTEMPTS}: failed`,
        finishedAt: new Date().toISOString(),
      });
      throw new UnrecoverableError(JSON.stringify(error));
    }
    if (attempts > 1 && !stored.recovery)
      Object.assign(started, {
        recovery: `interrupted on attempt ${attempts - 1} of ${MAX_ATTEMPTS} (its worker stopped): run again from the start`,
      });
    await finish(started);
    const controller = new AbortController();
    running.set(id, controller);
    try {
      await job.updateProgress({ step: 0, total: 0, worker: workerName } satisfies WorkerProgress);
      let out;
      try {
        out = await runner(job.data, {
          signal: controller.signal,
          readInput: (upload, file) => storage.readJobInput(id, upload, file),
          onProgress: (p) => {
            progress = { step: p.step, total: p.total };
            void job
              .updateProgress({ ...p, worker: workerName } satisfies WorkerProgress)
              .catch(() => undefined);
          },
        });
      } catch (err) {
        if (controller.signal.aborted && stopping) {
          // Shutdown: back to the queue for another worker, the attempt not counted.
          await finish({
            ...started,
            status: 'queued',
            attempts: attempts - 1,
            worker: undefined,
            startedAt: undefined,
            recovery: `stopped by a worker shutdown${progress ? ` at step ${progress.step}/${progress.total}` : ''}: queued again, runs from the start`,
          });
          await job.moveToWait(token);
          throw new WaitingError();
        }
        const cancelled = controller.signal.aborted && isCancellation(err);
        const rec: JobRecord = cancelled
          ? { ...started, status: 'cancelled', finishedAt: new Date().toISOString() }
          : {
              ...started,
              status: 'failed',
              error: jobErrorOf(err),
              finishedAt: new Date().toISOString(),
            };
        await finish(rec);
        throw new UnrecoverableError(JSON.stringify(rec.error ?? { message: 'cancelled' }));
      }
      if (controller.signal.aborted && !stopping) {
        await finish({
          ...started,
          status: 'cancelled',
          recovery: 'cancelled after its last step; the result was discarded as asked',
          finishedAt: new Date().toISOString(),
        });
        throw new UnrecoverableError(JSON.stringify({ message: 'cancelled' }));
      }
      const { resultPng, layoutPng, ...outcome } = out;
      try {
        await storage.writeJobFile(id, 'result.png', resultPng);
        await storage.writeJobFile(id, 'layout.png', layoutPng);
      } catch (err) {
        await removeOutput(storage, id);
        const error = {
          message: `the image was generated but could not be stored: ${storageErrorMessage(err)}`,
        };
        await finish({ ...started, status: 'failed', error, finishedAt: new Date().toISOString() });
        throw new UnrecoverableError(JSON.stringify(error));
      }
      await finish({
        ...started,
        status: 'succeeded',
        result: outcomeResult(id, outcome),
        finishedAt: new Date().toISOString(),
      });
      return outcome;
    } finally {
      running.delete(id);
    }
  };

  const workers = models.map((model) => {
    const w = new Worker<JobSpec, JobOutcome>(queueName(model), runJob, {
      connection: conn(),
      prefix: o.prefix,
      concurrency: 1,
      lockDuration: o.lockDurationMs,
      stalledInterval: o.stalledIntervalMs,
      maxStalledCount: MAX_ATTEMPTS,
    });
    w.on('error', () => undefined);
    return w;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    async close(graceMs = 0) {
      const closing = Promise.all(workers.map((w) => w.close()));
      if (graceMs > 0 && running.size > 0)
        await Promise.race([closing, new Promise((r) => setTimeout(r, graceMs).unref())]);
      stopping = true;
      for (const c of running.values()) c.abort();
      await Promise.all(workers.map((w) => w.close(true)));
      for (const c of conns) c.disconnect();
    },
  };
}
