/**
 * The in-process queue: one generation per model at a time, the others wait in order and
 * see their position. Job records are written to the storage folder at every state change, so
 * a restart finds them: `recover` re-queues what was queued and reruns, once, what a stop
 * interrupted (a second interruption fails the job and says so). `drain` (SIGTERM) stops
 * accepting, lets the running jobs finish for a while, and leaves everything else queued on
 * disk for the next start. A storage failure (full disk) fails the job with the reason and
 * never stops the queue.
 */
import { CancelledError } from '@contextgen/core';
import type { Storage } from '../storage.ts';
import {
  isCancellation,
  jobErrorOf,
  removeOutput,
  storeOutput,
  storageErrorMessage,
} from './finish.ts';
import {
  FINAL_STATUSES,
  SubmitRefused,
  type JobEvent,
  type JobQueue,
  type JobRecord,
  type JobRunner,
  type JobSpec,
} from './types.ts';

interface Running {
  readonly id: string;
  readonly controller: AbortController;
}

/** Starts a job may have; an interruption past this fails it instead of running it again. */
export const MAX_ATTEMPTS = 2;

export interface RecoveryReport {
  readonly requeued: string[];
  readonly rerun: string[];
  readonly failed: string[];
}

export class LocalQueue implements JobQueue {
  readonly kind = 'local' as const;
  readonly #storage: Storage;
  readonly #runner: JobRunner;
  readonly #worker: string;
  readonly #log: (msg: string) => void;
  readonly #records = new Map<string, JobRecord>();
  readonly #specs = new Map<string, JobSpec>();
  readonly #waiting = new Map<string, string[]>();
  readonly #running = new Map<string, Running>();
  readonly #listeners = new Map<string, Set<(e: JobEvent) => void>>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #taskOf = new Map<string, Promise<void>>();
  /** Submits between the capacity check and the enqueue (the cap counts them). */
  #reserved = 0;
  #accepting = true;
  /** Set while shutting down: an aborted job goes back to `queued`, not `cancelled`. */
  #stopping = false;

  constructor(
    storage: Storage,
    runner: JobRunner,
    workerName: string,
    log: (msg: string) => void = () => {},
  ) {
    this.#storage = storage;
    this.#runner = runner;
    this.#worker = workerName;
    this.#log = log;
  }

  async submit(spec: JobSpec, maxActive: number): Promise<JobRecord> {
    if (!this.#accepting)
      throw new SubmitRefused(
        503,
        'shutting_down',
        'the server is shutting down and takes no new jobs; submit again when it is back',
      );
    // Checked and reserved with no await in between: exact under concurrent submits.
    if (this.#activeNow() + this.#reserved >= maxActive)
      throw new SubmitRefused(
        429,
        'queue_full',
        `the queue is full (${maxActive} jobs waiting or running); try again when some finish`,
      );
    this.#reserved++;
    const record: JobRecord = {
      id: spec.id,
      model: spec.model,
      status: 'queued',
      createdAt: new Date().toISOString(),
      request: spec.request,
    };
    try {
      // Stored before it is queued: a job the disk could not take never runs.
      await this.#storage.writeJobFile(record.id, 'job.json', JSON.stringify(record, null, 2));
    } finally {
      this.#reserved--;
    }
    this.#enqueue(spec, record);
    this.#pump(spec.model);
    return this.#records.get(spec.id)!;
  }

  #enqueue(spec: JobSpec, record: JobRecord): void {
    const queue = this.#waiting.get(spec.model) ?? [];
    this.#waiting.set(spec.model, queue);
    queue.push(spec.id);
    this.#specs.set(spec.id, spec);
    this.#records.set(spec.id, {
      ...record,
      position: queue.length + (this.#running.has(spec.model) ? 1 : 0),
    });
  }

  /**
   * Picks up the jobs a previous process left unfinished (call once, before serving):
   * `queued` ones are queued again in their original order; `running` ones (the process
   * died or was stopped mid-job) run again from the start if they have had fewer than
   * MAX_ATTEMPTS starts, else fail with the reason. Every such job says what happened in
   * `recovery`. Jobs of models this server does not serve fail with that reason.
   */
  async recover(models: ReadonlySet<string>): Promise<RecoveryReport> {
    const report: RecoveryReport = { requeued: [], rerun: [], failed: [] };
    const found: JobRecord[] = [];
    for (const id of await this.#storage.jobIds()) {
      const rec = await this.#storage.readJobRecord<JobRecord>(id).catch(() => undefined);
      if (rec && !FINAL_STATUSES.includes(rec.status) && !this.#records.has(id)) found.push(rec);
    }
    found.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const now = new Date().toISOString();
    for (const rec of found) {
      const base = { ...rec, position: undefined, progress: undefined, worker: undefined };
      const fail = async (message: string, recovery: string) => {
        report.failed.push(rec.id);
        await this.#finish({
          ...base,
          status: 'failed',
          error: { message },
          recovery,
          finishedAt: now,
        });
      };
      if (!models.has(rec.model)) {
        await fail(
          `model "${rec.model}" is no longer served by this server; submit the job again with a served model`,
          'found unfinished after a restart, for a model this server no longer serves',
        );
        continue;
      }
      const attempts = rec.attempts ?? 0;
      let recovery: string;
      if (rec.status === 'running') {
        if (attempts >= MAX_ATTEMPTS) {
          await fail(
            `the server stopped while this job was running, ${attempts} times; it is not run again automatically (submit it again)`,
            `interrupted by a server stop on attempt ${attempts} of ${MAX_ATTEMPTS}: failed`,
          );
          continue;
        }
        recovery = `interrupted by a server stop on attempt ${attempts} of ${MAX_ATTEMPTS}: run again from the start`;
        report.rerun.push(rec.id);
      } else {
        recovery =
          rec.recovery ?? 'still queued when the server stopped: queued again after the restart';
        report.requeued.push(rec.id);
      }
      const queued: JobRecord = { ...base, status: 'queued', recovery, startedAt: undefined };
      try {
        await this.#storage.writeJobFile(rec.id, 'job.json', JSON.stringify(queued, null, 2));
      } catch (err) {
        this.#log(`job ${rec.id}: could not record its recovery (${storageErrorMessage(err)})`);
      }
      this.#enqueue({ id: rec.id, model: rec.model, request: rec.request }, queued);
    }
    for (const model of new Set(found.map((r) => r.model))) this.#pump(model);
    return report;
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
      // #run ends the job as cancelled, even when the runner was already past its last step;
      // wait for that (briefly) so the caller can say what happened.
      const task = this.#taskOf.get(id);
      if (task) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([task, new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
      }
      return this.get(id);
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

  async remove(id: string): Promise<boolean> {
    const record = await this.get(id);
    if (!record) return true;
    if (!FINAL_STATUSES.includes(record.status)) return false;
    this.#records.delete(id);
    await this.#storage.removeJob(id);
    return true;
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    return this.#accepting ? { ok: true } : { ok: false, detail: 'shutting down' };
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

  #activeNow(): number {
    let n = this.#running.size;
    for (const q of this.#waiting.values()) n += q.length;
    return n;
  }

  async activeCount(): Promise<number> {
    return this.#activeNow();
  }

  async load(model: string): Promise<{ queued: number; running: number }> {
    return {
      queued: this.#waiting.get(model)?.length ?? 0,
      running: this.#running.has(model) ? 1 : 0,
    };
  }

  /**
   * Stops taking jobs; lets running jobs finish for up to `graceMs`, then stops them and puts
   * them back to `queued` (they run again, from the start, at the next start). Waiting jobs
   * stay queued on disk.
   */
  async drain(graceMs: number): Promise<void> {
    this.#accepting = false;
    for (const q of this.#waiting.values()) q.length = 0;
    const all = Promise.allSettled([...this.#tasks]);
    if (graceMs > 0 && this.#tasks.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    this.#stopping = true;
    for (const r of this.#running.values()) r.controller.abort();
    await all;
  }

  async close(): Promise<void> {
    await this.drain(0);
  }

  #emit(id: string, e: JobEvent): void {
    for (const l of this.#listeners.get(id) ?? []) l(e);
  }

  /** Writes the record; a storage failure is logged and the in-memory record stays authoritative. */
  async #save(record: JobRecord): Promise<boolean> {
    this.#records.set(record.id, record);
    try {
      await this.#storage.writeJobFile(record.id, 'job.json', JSON.stringify(record, null, 2));
      return true;
    } catch (err) {
      this.#log(`job ${record.id}: could not write its record (${storageErrorMessage(err)})`);
      return false;
    }
  }

  async #finish(record: JobRecord): Promise<JobRecord> {
    // Finished jobs are read back from storage, unless the disk refused the record: then
    // this process keeps answering from memory.
    if (await this.#save(record)) this.#records.delete(record.id);
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
    if (this.#running.has(model) || !this.#accepting) return;
    const queue = this.#waiting.get(model);
    const id = queue?.shift();
    if (!id) return;
    const spec = this.#specs.get(id);
    if (!spec) return this.#pump(model);
    const controller = new AbortController();
    this.#running.set(model, { id, controller });
    const task = this.#run(spec, controller)
      .catch((err: unknown) => this.#log(`job ${id}: ${storageErrorMessage(err)}`))
      .finally(() => {
        this.#tasks.delete(task);
        this.#taskOf.delete(id);
        this.#running.delete(model);
        this.#specs.delete(id);
        this.#pump(model);
      });
    this.#tasks.add(task);
    this.#taskOf.set(id, task);
    this.#announcePositions(model);
  }

  async #run(spec: JobSpec, controller: AbortController): Promise<void> {
    const base = this.#records.get(spec.id)!;
    const attempts = (base.attempts ?? 0) + 1;
    const started: JobRecord = {
      ...base,
      status: 'running',
      position: undefined,
      startedAt: new Date().toISOString(),
      worker: this.#worker,
      attempts,
    };
    await this.#save(started);
    this.#emit(spec.id, { type: 'started', worker: this.#worker });
    const current = () => this.#records.get(spec.id) ?? started;
    const finishedAt = () => new Date().toISOString();
    const stopped = async () => {
      // Shutdown: back to queued without counting the attempt; the next start runs it.
      const rec = current();
      await this.#save({
        ...rec,
        status: 'queued',
        attempts: attempts - 1,
        progress: undefined,
        worker: undefined,
        startedAt: undefined,
        recovery: `stopped by a server shutdown${rec.progress ? ` at step ${rec.progress.step}/${rec.progress.total}` : ''}: queued again, runs from the start when the server is back`,
      });
    };
    let out;
    try {
      if (controller.signal.aborted) throw new CancelledError(0, 0);
      out = await this.#runner(spec, {
        signal: controller.signal,
        readInput: (upload, file) => this.#storage.readJobInput(spec.id, upload, file),
        onProgress: (p) => {
          const rec = this.#records.get(spec.id);
          if (rec)
            this.#records.set(spec.id, { ...rec, progress: { step: p.step, total: p.total } });
          this.#emit(spec.id, { type: 'progress', ...p });
        },
      });
    } catch (err) {
      if (controller.signal.aborted && this.#stopping) return stopped();
      if (controller.signal.aborted && isCancellation(err)) {
        await this.#finish({ ...current(), status: 'cancelled', finishedAt: finishedAt() });
      } else {
        await this.#finish({
          ...current(),
          status: 'failed',
          error: jobErrorOf(err),
          finishedAt: finishedAt(),
        });
      }
      return;
    }
    if (controller.signal.aborted) {
      if (this.#stopping) return stopped();
      await this.#finish({
        ...current(),
        status: 'cancelled',
        recovery: 'cancelled after its last step; the result was discarded as asked',
        finishedAt: finishedAt(),
      });
      return;
    }
    let result;
    try {
      result = await storeOutput(this.#storage, spec.id, out);
    } catch (err) {
      await removeOutput(this.#storage, spec.id);
      await this.#finish({
        ...current(),
        status: 'failed',
        error: {
          message: `the image was generated but could not be stored: ${storageErrorMessage(err)}`,
        },
        finishedAt: finishedAt(),
      });
      return;
    }
    await this.#finish({ ...current(), status: 'succeeded', result, finishedAt: finishedAt() });
  }
}
