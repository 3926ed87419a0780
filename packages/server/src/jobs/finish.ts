/** Turning a worker's output or error into the stored job result. */
import { CancelledError, RequestError } from '@contextgen/core';
import { ImageInputError } from '@contextgen/imaging';
import { StorageFullError, type Storage } from '../storage.ts';
import { rm } from 'node:fs/promises';
import type { JobError, JobOutcome, JobOutput, JobResult } from './types.ts';

export function resultUrls(id: string): { resultUrl: string; layoutUrl: string } {
  return { resultUrl: `/api/jobs/${id}/result.png`, layoutUrl: `/api/jobs/${id}/layout.png` };
}

/** Writes the images to storage and returns the result the API reports. */
export async function storeOutput(
  storage: Storage,
  id: string,
  out: JobOutput,
): Promise<JobResult> {
  await storage.writeJobFile(id, 'result.png', out.resultPng);
  await storage.writeJobFile(id, 'layout.png', out.layoutPng);
  return outcomeResult(id, out);
}

/** The result the API reports for images already in storage. */
export function outcomeResult(id: string, out: JobOutcome): JobResult {
  return {
    seed: out.seed,
    width: out.width,
    height: out.height,
    untrained: out.untrained,
    warnings: out.warnings,
    timings: out.timings,
    ...resultUrls(id),
  };
}

/** Removes whatever part of the result images was written (after a failed store). */
export async function removeOutput(storage: Storage, id: string): Promise<void> {
  for (const f of ['result.png', 'layout.png'] as const)
    await rm(storage.jobPath(id, f), { force: true }).catch(() => {});
}

/** A storage failure in words: the full-disk message, or the system error. */
export function storageErrorMessage(err: unknown): string {
  if (err instanceof StorageFullError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export const CANCELLED_PREFIX = 'cancelled:';

/** A cancellation, here or from a generation thread (where only the name crosses). */
export function isCancellation(err: unknown): boolean {
  return (
    err instanceof CancelledError ||
    (err instanceof Error && (err.name === 'AbortError' || err.name === 'CancelledError'))
  );
}

/** The user-facing error of a failed job: the real cause, with the field when the input was wrong. */
export function jobErrorOf(err: unknown): JobError {
  // By name too: errors from a generation thread arrive as plain Errors with their fields.
  const e = err as Error & { field?: unknown; source?: unknown };
  if (err instanceof RequestError || (e?.name === 'RequestError' && typeof e.field === 'string'))
    return { message: e.message, field: e.field as string };
  if (
    err instanceof ImageInputError ||
    (e?.name === 'ImageInputError' && typeof e.source === 'string')
  )
    return { message: e.message, field: e.source as string };
  if (err instanceof Error)
    return { message: `${err.name === 'Error' ? '' : err.name + ': '}${err.message}` };
  return { message: String(err) };
}
