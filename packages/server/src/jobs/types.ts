/**
 * Jobs as the API sees them, whichever queue runs them (in-process or Redis).
 */
import type { GenerationRequest } from '@contextgen/core';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/** What a finished generation says about itself, wherever its images live. */
export interface JobOutcome {
  /** The seed the sampler actually used (drawn when the request had none). */
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  /** True when the model has random weights (manifest trained:false): the image means nothing. */
  readonly untrained: boolean;
  readonly warnings: readonly string[];
  readonly timings: { readonly modelMs: number; readonly totalMs: number };
}

/** A job's result as the API serves it: the outcome and where to fetch the images. */
export interface JobResult extends JobOutcome {
  readonly resultUrl: string;
  readonly layoutUrl: string;
}

export interface JobError {
  readonly message: string;
  /** The request field at fault, when the user's input was wrong. */
  readonly field?: string;
}

export interface JobRecord {
  readonly id: string;
  readonly model: string;
  readonly status: JobStatus;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** 1 = next to run; only while queued. */
  readonly position?: number;
  readonly progress?: { readonly step: number; readonly total: number };
  readonly request: GenerationRequest;
  readonly result?: JobResult;
  readonly error?: JobError;
  /** Which worker ran (or is running) it: host:pid. */
  readonly worker?: string;
  /** Times this job was started (1 normally; 2 when it was rerun after an interruption). */
  readonly attempts?: number;
  /** What a restart or a lost queue did to this job, in words (absent when nothing happened). */
  readonly recovery?: string;
}

/**
 * What a worker needs to run a job. Small: the images it names (cutout PNGs, alpha = mask, and
 * layout images, by upload id) were snapshotted into the job's folder at submit and are read
 * from storage (`readInput`), so a queued job holds no pixels in memory or in Redis.
 */
export interface JobSpec {
  readonly id: string;
  readonly model: string;
  readonly request: GenerationRequest;
}

/** What a worker hands back: the outcome and the images themselves. */
export interface JobOutput extends JobOutcome {
  readonly resultPng: Uint8Array;
  readonly layoutPng: Uint8Array;
}

export type JobEvent =
  | { readonly type: 'queued'; readonly position: number }
  | { readonly type: 'started'; readonly worker: string }
  | {
      readonly type: 'progress';
      readonly step: number;
      readonly total: number;
      readonly preview?: string;
    }
  | { readonly type: 'done'; readonly job: JobRecord };

export interface ProgressReport {
  readonly step: number;
  readonly total: number;
  /** A small PNG data URL of the current estimate. */
  readonly preview?: string;
}

/** Runs one job (the generation itself); throws CancelledError when the signal aborts. */
export type JobRunner = (
  spec: JobSpec,
  ctx: {
    signal: AbortSignal;
    onProgress: (p: ProgressReport) => void;
    /** The snapshotted image of an upload the request names. */
    readInput: (uploadId: string, file: 'cutout.png' | 'original') => Promise<Uint8Array>;
  },
) => Promise<JobOutput>;

/** Why a submit was refused by the queue itself (full, shutting down, storage or Redis down). */
export class SubmitRefused extends Error {
  override readonly name = 'SubmitRefused';
  constructor(
    readonly statusCode: 429 | 503 | 507,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The queue's backend (Redis) cannot be reached: answered 503 at once. */
export class QueueUnavailable extends Error {
  override readonly name = 'QueueUnavailable';
}

export interface JobQueue {
  readonly kind: 'local' | 'redis';
  /**
   * Stores and enqueues a job whose inputs are already in its folder; refuses (SubmitRefused)
   * when `maxActive` jobs are already waiting or running, counted atomically with the enqueue.
   */
  submit(spec: JobSpec, maxActive: number): Promise<JobRecord>;
  /** Removes a finished job's record and files; refuses (returns false) while it is active. */
  remove(id: string): Promise<boolean>;
  /** Whether the queue's backend answers (Redis reachable); the reason when not. */
  health(): Promise<{ ok: boolean; detail?: string }>;
  get(id: string): Promise<JobRecord | undefined>;
  cancel(id: string): Promise<JobRecord | undefined>;
  /** Live events of one job; returns an unsubscribe function. */
  subscribe(id: string, listener: (e: JobEvent) => void): () => void;
  /** Jobs waiting or running now. */
  activeCount(): Promise<number>;
  /** Per model: queued and running counts. */
  load(model: string): Promise<{ queued: number; running: number }>;
  close(): Promise<void>;
}
