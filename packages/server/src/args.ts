/**
 * `contextgen serve` arguments and environment, parsed into ServeOptions.
 *   --port P  --host H  --model DIR (repeatable)  --storage DIR  --allow-untrained
 *   --worker-only (Redis mode: run jobs, no HTTP)  --no-worker (Redis mode: HTTP only)
 * Environment: CONTEXTGEN_TOKEN, REDIS_URL, CONTEXTGEN_MODEL, CONTEXTGEN_STORAGE.
 */
import { join, resolve } from 'node:path';
import {
  DEFAULT_LIMITS,
  DEFAULT_PORT,
  DEFAULT_REDIS,
  LOOPBACK,
  type ServeOptions,
} from './options.ts';

export const SERVE_USAGE = `Usage: contextgen serve [--port P] [--host H] [--model DIR]... [--storage DIR]
                        [--allow-untrained] [--worker-only | --no-worker] [--quiet]
  --port P            listen on port P (default ${DEFAULT_PORT})
  --host H            listen address (default ${LOOPBACK}, loopback only; 0.0.0.0 exposes the server)
  --model DIR         a model folder (model.json); repeat to serve several; default: the embedded model
  --storage DIR       where uploads and results live (default ./data/server)
  --allow-untrained   serve models marked trained:false (random test weights); results are flagged untrained
  --worker-only       with REDIS_URL: run generations from the shared queue, no HTTP
  --no-worker         with REDIS_URL: serve HTTP only, leave generations to worker processes
  --quiet             no request log
  --allowed-origin O  also accept POST/DELETE from browser pages at origin O (scheme://host:port); repeatable
  --allowed-host H    also answer requests whose Host header names H (a proxy's name); repeatable
  --retention-days N  delete finished jobs and uploads older than N days (default 0: keep everything)
  --drain-seconds N   on SIGTERM, let running jobs finish for up to N s before re-queueing them (default 30)
  --unsafe-expose-without-token
                      listen on a non-loopback --host without CONTEXTGEN_TOKEN (anyone who reaches it can use it)
Environment: CONTEXTGEN_TOKEN (require "Authorization: Bearer <token>"), REDIS_URL (shared BullMQ queue),
CONTEXTGEN_MODEL (default model folder), CONTEXTGEN_STORAGE (storage folder).`;

export class ArgsError extends Error {
  override readonly name = 'ArgsError';
}

function intArg(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min || n > max) {
    throw new ArgsError(
      `${flag} needs a whole number from ${min} to ${max}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`,
    );
  }
  return n;
}

/** An origin as browsers send it: scheme://host[:port], nothing else ('*' = any). */
function originArg(value: string): string {
  if (value === '*') return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== value)
    throw new ArgsError(
      `--allowed-origin needs an origin like https://editor.example.com:8443 (scheme, host, optional port; no path), got ${JSON.stringify(value)}`,
    );
  return value;
}

/**
 * @param defaultModel resolves the model folder when no --model is given (runtime's findModel)
 * @throws ArgsError naming the flag and what it needs
 */
export function parseServeArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaultModel: () => string,
  cwd = process.cwd(),
): ServeOptions {
  let port = DEFAULT_PORT;
  let host = LOOPBACK;
  const modelDirs: string[] = [];
  let storageDir = env.CONTEXTGEN_STORAGE
    ? resolve(cwd, env.CONTEXTGEN_STORAGE)
    : join(cwd, 'data', 'server');
  let allowUntrained = false;
  let http = true;
  let worker = true;
  let log = true;
  // Exposure flags (issue 12): kept together so they merge easily.
  const allowedOrigins: string[] = [];
  const allowedHosts: string[] = [];
  let unsafeExposeWithoutToken = false;
  let retentionMs = 0;
  let drainMs = 30_000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--')))
        throw new ArgsError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port':
        port = intArg('--port', value(), 0, 65535);
        break;
      case '--host':
        host = value();
        break;
      case '--model':
        modelDirs.push(resolve(cwd, value()));
        break;
      case '--storage':
        storageDir = resolve(cwd, value());
        break;
      case '--allow-untrained':
        allowUntrained = true;
        break;
      case '--worker-only':
        http = false;
        break;
      case '--no-worker':
        worker = false;
        break;
      case '--quiet':
        log = false;
        break;
      case '--allowed-origin':
        allowedOrigins.push(originArg(value()));
        break;
      case '--allowed-host':
        allowedHosts.push(value().toLowerCase());
        break;
      case '--retention-days':
        retentionMs = intArg('--retention-days', value(), 0, 36_500) * 86_400_000;
        break;
      case '--drain-seconds':
        drainMs = intArg('--drain-seconds', value(), 0, 3600) * 1000;
        break;
      case '--unsafe-expose-without-token':
        unsafeExposeWithoutToken = true;
        break;
      case '--help':
      case '-h':
        throw new ArgsError(SERVE_USAGE);
      default:
        throw new ArgsError(`unknown option ${a}\n${SERVE_USAGE}`);
    }
  }
  if (!http && !worker)
    throw new ArgsError('--worker-only and --no-worker together leave nothing to run; choose one');
  const redisUrl = env.REDIS_URL;
  if (!redisUrl && (!http || !worker)) {
    throw new ArgsError(
      `${!http ? '--worker-only' : '--no-worker'} needs REDIS_URL: without Redis the queue lives in one process, which must both serve HTTP and run jobs`,
    );
  }
  if (modelDirs.length === 0) modelDirs.push(defaultModel());
  const token = env.CONTEXTGEN_TOKEN;
  const stepDelayMs = env.CONTEXTGEN_TEST_STEP_DELAY_MS
    ? intArg('CONTEXTGEN_TEST_STEP_DELAY_MS', env.CONTEXTGEN_TEST_STEP_DELAY_MS, 0, 60_000)
    : 0;
  const redis = redisUrl
    ? {
        ...DEFAULT_REDIS,
        url: redisUrl,
        ...(env.CONTEXTGEN_REDIS_LOCK_MS
          ? {
              lockDurationMs: intArg(
                'CONTEXTGEN_REDIS_LOCK_MS',
                env.CONTEXTGEN_REDIS_LOCK_MS,
                500,
                600_000,
              ),
            }
          : {}),
        ...(env.CONTEXTGEN_REDIS_STALLED_MS
          ? {
              stalledIntervalMs: intArg(
                'CONTEXTGEN_REDIS_STALLED_MS',
                env.CONTEXTGEN_REDIS_STALLED_MS,
                200,
                600_000,
              ),
            }
          : {}),
      }
    : undefined;
  return {
    host,
    port,
    modelDirs,
    allowUntrained,
    storageDir,
    ...(token ? { token } : {}),
    ...(redis ? { redis } : {}),
    http,
    worker,
    limits: DEFAULT_LIMITS,
    stepDelayMs,
    log,
    ...(allowedOrigins.length ? { allowedOrigins } : {}),
    ...(allowedHosts.length ? { allowedHosts } : {}),
    ...(unsafeExposeWithoutToken ? { unsafeExposeWithoutToken } : {}),
    retentionMs,
    drainMs,
  };
}
