/** Turning a worker's output or error into the stored job result. */
import { CancelledError, RequestError } from '@contextgen/core';
import { ImageInputError } from '@contextgen/imaging';
import type { Storage } from '../storage.ts';
import type { JobError, JobOutput, JobResult } from './types.ts';

export function resultUrls(id: string): { resultUrl: string; layoutUrl: string } {
  return { resultUrl: `/api/jobs/${id}/result.png`, layoutUrl: `/api/jobs/${id}/layout.png` };
}

/** Writes the images to storage and returns the result the API reports. */
export async function storeOutput(
  storage: Storage,
  id: string,
  out: JobOutput,
): Promise<JobResult> {
  await storage.writeJobFile(id, 'result.png', Buffer.from(out.resultPng, 'base64'));
  await storage.writeJobFile(id, 'layout.png', Buffer.from(out.layoutPng, 'base64'));
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

export const CANCELLED_PREFIX = 'cancelled:';

export function isCancellation(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof Error && err.name === 'AbortError');
}

/** The user-facing error of a failed job: the real cause, with the field when the input was wrong. */
export function jobErrorOf(err: unknown): JobError {
  if (err instanceof RequestError) return { message: err.message, field: err.field };
  if (err instanceof ImageInputError) return { message: err.message, field: err.source };
  if (err instanceof Error)
    return { message: `${err.name === 'Error' ? '' : err.name + ': '}${err.message}` };
  return { message: String(err) };
}
