/**
 * Retention: finished jobs (their record, inputs and images) and uploads older than the
 * retention period are deleted, once at start and then periodically. Active jobs are never
 * touched, and a job keeps its own copy of the uploads it reads, so an upload can go while a
 * job that names it still waits.
 */
import type { Storage } from '../storage.ts';
import { FINAL_STATUSES, type JobQueue, type JobRecord } from './types.ts';

export interface RetentionSweep {
  readonly jobs: number;
  readonly uploads: number;
}

/** Deletes what finished (jobs) or was created (uploads) before `now - retentionMs`. */
export async function sweepOnce(
  storage: Storage,
  queue: JobQueue,
  retentionMs: number,
  now = Date.now(),
): Promise<RetentionSweep> {
  const cutoff = now - retentionMs;
  let jobs = 0;
  let uploads = 0;
  for (const id of await storage.jobIds()) {
    const rec = await storage.readJobRecord<JobRecord>(id).catch(() => undefined);
    if (!rec || !FINAL_STATUSES.includes(rec.status)) continue;
    const at = Date.parse(rec.finishedAt ?? rec.createdAt);
    if (Number.isFinite(at) && at < cutoff && (await queue.remove(id).catch(() => false))) jobs++;
  }
  for (const id of await storage.uploadIds()) {
    const meta = await storage.readUploadMeta(id).catch(() => undefined);
    const at = meta ? Date.parse(meta.createdAt) : NaN;
    if (Number.isFinite(at) && at < cutoff) {
      await storage.removeUpload(id);
      uploads++;
    }
  }
  return { jobs, uploads };
}

export function startRetention(
  storage: Storage,
  queue: JobQueue,
  retentionMs: number,
  log: (msg: string) => void,
): { stop(): void } {
  const every = Math.min(Math.max(retentionMs / 10, 1000), 3_600_000);
  const run = () =>
    void sweepOnce(storage, queue, retentionMs).then(
      (r) =>
        (r.jobs || r.uploads) && log(`retention: deleted ${r.jobs} jobs, ${r.uploads} uploads`),
      (err: unknown) => log(`retention sweep failed: ${(err as Error).message}`),
    );
  run();
  const timer = setInterval(run, every);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
