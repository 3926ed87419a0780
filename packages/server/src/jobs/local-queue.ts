/**
 * The in-process queue: one generation per model at a time, the others wait in order and
 * see their position. Job records are written to the storage folder at every state change,
 * so finished jobs are still found after a restart.
 */
import type { Storage } from '../storage.ts';
import { isCancellation, jobErrorOf, storeOutput } from './finish.ts';
import type { JobEvent, JobQueue, JobRecord, JobRunner, JobSpec } from './types.ts';
import { FINAL_STATUSES } from './types.ts';

interface Running {
  readonly id: string;
  readonly controller: AbortController;
}

export class LocalQueue implements JobQueue {
  readonly kind = 'local' as const;
  readonly #storage: Storage;
  readonly #runner: JobRunner;
  readonly #worker: string;
  readonly #records = new Map<string, JobRecord>();
  readonly #specs = new Map<string, JobSpec>();
  readonly #waiting = new Map<string, string[]>();
  readonly #running = new Map<string, Running>();
  readonly #listeners = new Map<string, Set<(e: JobEvent) => void>>();
  readonly #tasks = new Set<Promise<void>>();

  constructor(storage: Storage, runner: JobRunner, workerName: string) {
    this.#storage = storage;
    this.#runner = runner;
    this.#worker = workerName;
  }

  async submit(spec: JobSpec): Promise<JobRecord> {
    const queue = this.#waiting.get(spec.model) ?? [];
    this.#waiting.set(spec.model, queue);
    queue.push(spec.id);
    this.#specs.set(spec.id, spec);
    const record: JobRecord = {
      id: spec.id,
      model: spec.model,
      status: 'queued',
      createdAt: new Date().toISOString(),
      position: queue.length + (this.#running.has(spec.model) ? 1 : 0),
      request: spec.request,
    };
    await this.#save(record);
    this.#pump(spec.model);
    return this.#records.get(spec.id)!;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return this.#records.get(id) ?? (await this.#storage.readJobRecord<JobRecord>(id));
  }

  async cancel(id: string): Promise<JobRecord | undefined> {
    const record = await this.get(id);
    if (!record || FINAL_STATUSES.includes(record.status)) return record;
    const running = this.#running.get(record.model);
    if (running?.id === id) {
      running.controller.abort();
      return record; // the runner stops between steps and #run records the cancellation
    }
    const queue = this.#waiting.get(record.model) ?? [];
    const k = queue.indexOf(id);
    if (k >= 0) queue.splice(k, 1);
    this.#specs.delete(id);
    const done = await this.#finish({
      ...record,
      status: 'cancelled',
      position: undefined,
      finishedAt: new Date().toISOString(),
    });
    this.#announcePositions(record.model);
    return done;
  }

  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    const set = this.#listeners.get(id) ?? new Set();
    set.add(listener);
    this.#listeners.set(id, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(id);
    };
  }

  async activeCount(): Promise<number> {
    let n = this.#running.size;
    for (const q of this.#waiting.values()) n += q.length;
    return n;
  }

  async load(model: string): Promise<{ queued: number; running: number }> {
    return {
      queued: this.#waiting.get(model)?.length ?? 0,
      running: this.#running.has(model) ? 1 : 0,
    };
  }

  /** Cancels what runs, drops what waits, and waits for running jobs to stop. */
  async close(): Promise<void> {
    for (const q of this.#waiting.values()) q.length = 0;
    for (const r of this.#running.values()) r.controller.abort();
    await Promise.allSettled([...this.#tasks]);
  }

  #emit(id: string, e: JobEvent): void {
    for (const l of this.#listeners.get(id) ?? []) l(e);
  }

  async #save(record: JobRecord): Promise<void> {
    this.#records.set(record.id, record);
    await this.#storage.writeJobFile(record.id, 'job.json', JSON.stringify(record, null, 2));
  }

  async #finish(record: JobRecord): Promise<JobRecord> {
    await this.#save(record);
    this.#records.delete(record.id); // finished jobs are read back from storage
    this.#emit(record.id, { type: 'done', job: record });
    return record;
  }

  #announcePositions(model: string): void {
    const queue = this.#waiting.get(model) ?? [];
    const ahead = this.#running.has(model) ? 1 : 0;
    queue.forEach((id, k) => {
      const rec = this.#records.get(id);
      if (!rec) return;
      const position = k + 1 + ahead;
      this.#records.set(id, { ...rec, position });
      this.#emit(id, { type: 'queued', position });
    });
  }

  #pump(model: string): void {
    if (this.#running.has(model)) return;
    const queue = this.#waiting.get(model);
    const id = queue?.shift();
    if (!id) return;
    const spec = this.#specs.get(id);
    if (!spec) return this.#pump(model);
    const controller = new AbortController();
    this.#running.set(model, { id, controller });
    const task = this.#run(spec, controller).finally(() => {
      this.#tasks.delete(task);
      this.#running.delete(model);
      this.#specs.delete(id);
      this.#pump(model);
    });
    this.#tasks.add(task);
    this.#announcePositions(model);
  }

  async #run(spec: JobSpec, controller: AbortController): Promise<void> {
    const base = this.#records.get(spec.id)!;
    const started: JobRecord = {
      ...base,
      status: 'running',
      position: undefined,
      startedAt: new Date().toISOString(),
      worker: this.#worker,
    };
    await this.#save(started);
    this.#emit(spec.id, { type: 'started', worker: this.#worker });
    try {
      const out = await this.#runner(spec, {
        signal: controller.signal,
        onProgress: (p) => {
          const rec = this.#records.get(spec.id);
          if (rec)
            this.#records.set(spec.id, { ...rec, progress: { step: p.step, total: p.total } });
          this.#emit(spec.id, { type: 'progress', ...p });
        },
      });
      const result = await storeOutput(this.#storage, spec.id, out);
      const rec = this.#records.get(spec.id) ?? started;
      await this.#finish({
        ...rec,
        status: 'succeeded',
        result,
        finishedAt: new Date().toISOString(),
      });
    } catch (err) {
      const rec = this.#records.get(spec.id) ?? started;
      const finishedAt = new Date().toISOString();
      if (controller.signal.aborted && isCancellation(err))
        await this.#finish({ ...rec, status: 'cancelled', finishedAt });
      else await this.#finish({ ...rec, status: 'failed', error: jobErrorOf(err), finishedAt });
    }
  }
}
