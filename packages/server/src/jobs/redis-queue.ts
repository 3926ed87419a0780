/**
 * The Redis-backed queue (BullMQ): one queue per model, shared by every server and worker
 * process that points at the same REDIS_URL. A worker holds a lock on its job and renews it;
 * when a worker dies the lock lapses, another worker's stalled-job check puts the job back in
 * the queue, and it runs again elsewhere. Jobs carry their images and results come back in the
 * job's return value, so machines need no shared folder; the API process that serves a job's
 * status writes its result into its own storage.
 */
import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { RedisOptions } from '../options.ts';
import type { Storage } from '../storage.ts';
import { CANCELLED_PREFIX, isCancellation, jobErrorOf, storeOutput } from './finish.ts';
import {
  FINAL_STATUSES,
  type JobError,
  type JobEvent,
  type JobOutput,
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

function connect(o: RedisOptions): Redis {
  return new Redis(o.url, { maxRetriesPerRequest: null, lazyConnect: false });
}

interface WorkerProgress {
  readonly step: number;
  readonly total: number;
  readonly preview?: string;
  readonly worker?: string;
}

function parseFailure(reason: string | undefined): { cancelled: boolean; error: JobError } {
  const text = reason ?? 'unknown failure';
  if (text.startsWith(CANCELLED_PREFIX)) return { cancelled: true, error: { message: text } };
  try {
    const parsed = JSON.parse(text) as JobError;
    if (typeof parsed.message === 'string') return { cancelled: false, error: parsed };
  } catch {
    // not one of ours: a plain message
  }
  return { cancelled: false, error: { message: text } };
}

export class RedisQueue implements JobQueue {
  readonly kind = 'redis' as const;
  readonly #o: RedisOptions;
  readonly #storage: Storage;
  readonly #queues = new Map<string, Queue>();
  readonly #events = new Map<string, QueueEvents>();
  readonly #conns: Redis[] = [];
  readonly #pub: Redis;
  readonly #listeners = new Map<string, Set<(e: JobEvent) => void>>();
  /** Model of each job with listeners, so events can be matched without a lookup. */
  readonly #subscribedModel = new Map<string, string>();

  constructor(options: RedisOptions, storage: Storage, models: readonly string[]) {
    this.#o = options;
    this.#storage = storage;
    this.#pub = this.#conn();
    for (const model of models) {
      const name = queueName(model);
      this.#queues.set(
        model,
        new Queue(name, { connection: this.#conn(), prefix: options.prefix }),
      );
      const events = new QueueEvents(name, { connection: this.#conn(), prefix: options.prefix });
      this.#events.set(model, events);
      events.on('active', ({ jobId }) => {
        this.#emit(jobId, { type: 'started', worker: '' });
        void this.#announcePositions(model);
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
        void this.get(jobId).then(
          (job) =>
            job && FINAL_STATUSES.includes(job.status) && this.#emit(jobId, { type: 'done', job }),
        );
      };
      events.on('completed', ({ jobId }) => settle(jobId));
      events.on('failed', ({ jobId }) => settle(jobId));
      events.on('removed', ({ jobId }) => settle(jobId));
    }
  }

  #conn(): Redis {
    const c = connect(this.#o);
    this.#conns.push(c);
    return c;
  }

  #queue(model: string): Queue {
    const q = this.#queues.get(model);
    if (!q) throw new Error(`model "${model}" has no queue on this server`);
    return q;
  }

  async submit(spec: JobSpec): Promise<JobRecord> {
    const record: JobRecord = {
      id: spec.id,
      model: spec.model,
      status: 'queued',
      createdAt: new Date().toISOString(),
      request: spec.request,
    };
    await this.#storage.writeJobFile(spec.id, 'job.json', JSON.stringify(record, null, 2));
    await this.#queue(spec.model).add('generate', spec, {
      jobId: spec.id,
      attempts: 1,
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
    return (await this.get(spec.id)) ?? record;
  }

  async #position(model: string, id: string): Promise<number> {
    const q = this.#queue(model);
    const [waiting, active] = await Promise.all([
      q.getJobs(['prioritized', 'waiting'], 0, -1, true),
      q.getActiveCount(),
    ]);
    const k = waiting.findIndex((j) => j.id === id);
    return (k < 0 ? waiting.length : k) + 1 + Math.min(active, 1);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const stored = await this.#storage.readJobRecord<JobRecord>(id);
    if (!stored || FINAL_STATUSES.includes(stored.status)) return stored;
    const job = await Job.fromId<JobSpec, JobOutput>(this.#queue(stored.model), id);
    if (!job) return stored;
    const state = await job.getState();
    const progress = (typeof job.progress === 'object' ? job.progress : undefined) as
      WorkerProgress | undefined;
    const worker = progress?.worker ? { worker: progress.worker } : {};
    const steps =
      progress && progress.total > 0
        ? { progress: { step: progress.step, total: progress.total } }
        : {};
    const ts = (ms: number | undefined) =>
      ms ? new Date(ms).toISOString() : new Date().toISOString();
    if (state === 'completed') {
      const result = await storeOutput(this.#storage, id, job.returnvalue);
      return this.#final({
        ...stored,
        ...worker,
        ...steps,
        status: 'succeeded',
        result,
        startedAt: ts(job.processedOn),
        finishedAt: ts(job.finishedOn),
      });
    }
    if (state === 'failed') {
      const { cancelled, error } = parseFailure(job.failedReason);
      return this.#final({
        ...stored,
        ...worker,
        ...steps,
        status: cancelled ? 'cancelled' : 'failed',
        ...(cancelled ? {} : { error }),
        finishedAt: ts(job.finishedOn),
      });
    }
    if (state === 'active')
      return { ...stored, ...worker, ...steps, status: 'running', startedAt: ts(job.processedOn) };
    return { ...stored, status: 'queued', position: await this.#position(stored.model, id) };
  }

  async #final(record: JobRecord): Promise<JobRecord> {
    await this.#storage.writeJobFile(record.id, 'job.json', JSON.stringify(record, null, 2));
    return record;
  }

  async cancel(id: string): Promise<JobRecord | undefined> {
    const record = await this.get(id);
    if (!record || FINAL_STATUSES.includes(record.status)) return record;
    const job = await Job.fromId(this.#queue(record.model), id);
    if (record.status === 'queued' && job) {
      try {
        await job.remove();
        const done = await this.#final({
          ...record,
          status: 'cancelled',
          position: undefined,
          finishedAt: new Date().toISOString(),
        });
        this.#emit(id, { type: 'done', job: done });
        return done;
      } catch {
        // it became active meanwhile (locked): cancel it in its worker below
      }
    }
    await this.#pub.publish(cancelChannel(this.#o), id);
    return record;
  }

  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    const set = this.#listeners.get(id) ?? new Set();
    set.add(listener);
    this.#listeners.set(id, set);
    void this.#storage
      .readJobRecord<JobRecord>(id)
      .then((r) => r && this.#subscribedModel.set(id, r.model));
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
      const job = await Job.fromId(this.#queue(model), id);
      if (job && (await job.getState()) === 'waiting')
        this.#emit(id, { type: 'queued', position: await this.#position(model, id) });
    }
  }

  #emit(id: string, e: JobEvent): void {
    for (const l of this.#listeners.get(id) ?? []) l(e);
  }

  async activeCount(): Promise<number> {
    let n = 0;
    for (const q of this.#queues.values()) {
      const c = await q.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
      n += Object.values(c).reduce((a, b) => a + b, 0);
    }
    return n;
  }

  async load(model: string): Promise<{ queued: number; running: number }> {
    const c = await this.#queue(model).getJobCounts('waiting', 'prioritized', 'active');
    return { queued: (c.waiting ?? 0) + (c.prioritized ?? 0), running: c.active ?? 0 };
  }

  async close(): Promise<void> {
    for (const e of this.#events.values()) await e.close();
    for (const q of this.#queues.values()) await q.close();
    for (const c of this.#conns) c.disconnect();
  }
}

export interface RedisWorkers {
  close(): Promise<void>;
}

/**
 * Runs jobs from the shared queues, one at a time per model in this process. Listens on the
 * cancel channel to abort its running job when asked.
 */
export async function startRedisWorkers(
  o: RedisOptions,
  models: readonly string[],
  runner: JobRunner,
  workerName: string,
): Promise<RedisWorkers> {
  const conns: Redis[] = [];
  const conn = () => {
    const c = connect(o);
    conns.push(c);
    return c;
  };
  const running = new Map<string, AbortController>();
  const sub = conn();
  await sub.subscribe(cancelChannel(o));
  sub.on('message', (_channel: string, id: string) => running.get(id)?.abort());

  const workers = models.map(
    (model) =>
      new Worker<JobSpec, JobOutput>(
        queueName(model),
        async (job) => {
          const controller = new AbortController();
          running.set(job.id!, controller);
          try {
            await job.updateProgress({
              step: 0,
              total: 0,
              worker: workerName,
            } satisfies WorkerProgress);
            return await runner(job.data, {
              signal: controller.signal,
              onProgress: (p) =>
                void job
                  .updateProgress({ ...p, worker: workerName } satisfies WorkerProgress)
                  .catch(() => undefined),
            });
          } catch (err) {
            if (controller.signal.aborted && isCancellation(err))
              throw new UnrecoverableError(`${CANCELLED_PREFIX} by request`);
            throw new UnrecoverableError(JSON.stringify(jobErrorOf(err)));
          } finally {
            running.delete(job.id!);
          }
        },
        {
          connection: conn(),
          prefix: o.prefix,
          concurrency: 1,
          lockDuration: o.lockDurationMs,
          stalledInterval: o.stalledIntervalMs,
          maxStalledCount: 2,
        },
      ),
  );
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    async close() {
      for (const c of running.values()) c.abort();
      await Promise.all(workers.map((w) => w.close()));
      for (const c of conns) c.disconnect();
    },
  };
}
