/**
 * Server options and their defaults, as data. `parseServeArgs` (args.ts) fills them from the
 * command line and the environment.
 */
import type { CutoutChoice } from '@contextgen/imaging';

export interface ServerLimits {
  /** Largest upload file, bytes. */
  readonly maxUploadBytes: number;
  /** Largest decoded upload, width*height. */
  readonly maxUploadPixels: number;
  /** Longest side of the stored cutout (what jobs read); larger uploads are downscaled. */
  readonly cutoutMaxSide: number;
  /** Largest JSON body, bytes. */
  readonly maxBodyBytes: number;
  /** Jobs waiting or running at once, over all models. */
  readonly maxQueuedJobs: number;
  /** Instances per request (the model's own limit applies too; the smaller wins). */
  readonly maxInstances: number;
  /** A request body must arrive within this long (stalled uploads are cut off with 408). */
  readonly bodyTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxUploadBytes: 10 * 1024 * 1024,
  maxUploadPixels: 16_000_000,
  cutoutMaxSide: 1024,
  maxBodyBytes: 1024 * 1024,
  maxQueuedJobs: 64,
  maxInstances: 16,
  bodyTimeoutMs: 30_000,
};

export interface RedisOptions {
  readonly url: string;
  /** BullMQ queue name prefix (one queue per model). */
  readonly prefix: string;
  /** How long a worker's job lock lives without renewal; a dead worker's job is recovered after it. */
  readonly lockDurationMs: number;
  /** How often workers look for stalled jobs. */
  readonly stalledIntervalMs: number;
}

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  /** Model folders to serve (each holds a model.json). */
  readonly modelDirs: readonly string[];
  /** Serve models whose manifest says trained:false (random test fixtures), flagged untrained. */
  readonly allowUntrained: boolean;
  /** Uploads, job records and results live here. */
  readonly storageDir: string;
  /** When set, every /api route except /api/health needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Start on a non-loopback address without a token (anyone who can reach it may use it). */
  readonly unsafeExposeWithoutToken?: boolean;
  /** Host header names accepted besides the bound address (and loopback names on loopback). */
  readonly allowedHosts?: readonly string[];
  /** Origins (scheme://host:port) allowed to POST/DELETE besides the server's own origin. */
  readonly allowedOrigins?: readonly string[];
  /** When set, jobs go through a Redis (BullMQ) queue shared by several worker processes. */
  readonly redis?: RedisOptions;
  /** Serve the HTTP API (false: a worker-only process, Redis mode). */
  readonly http: boolean;
  /** Run generations in this process (false: an API-only process, Redis mode). */
  readonly worker: boolean;
  /** The built editor (packages/web/dist); served at / when present. */
  readonly webDir?: string;
  readonly limits: ServerLimits;
  /** Wait this long after every sampling step. For tests and demos of progress only. */
  readonly stepDelayMs: number;
  /** Log requests (pino) to stdout. */
  readonly log: boolean;
  /** Default automatic-cutout method for uploads (`--cutout`); auto when absent. */
  readonly cutout?: CutoutChoice;
  /** On SIGTERM, how long running jobs may finish before they are stopped and queued again. */
  readonly drainMs: number;
  /** Delete finished jobs and uploads older than this (0: keep everything). */
  readonly retentionMs: number;
  /** Threads decoding uploads at once (default: half the cores, 1 to 4). */
  readonly imageThreads?: number;
}

export const DEFAULT_REDIS: Omit<RedisOptions, 'url'> = {
  prefix: 'contextgen',
  lockDurationMs: 30_000,
  stalledIntervalMs: 15_000,
};

export const DEFAULT_PORT = 8787;
export const LOOPBACK = '127.0.0.1';
