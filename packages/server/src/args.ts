/**
 * `contextgen serve` arguments and environment, parsed into ServeOptions.
 *   --port P  --host H  --model DIR (repeatable)  --storage DIR  --allow-untrained
 *   --worker-only (Redis mode: run jobs, no HTTP)  --no-worker (Redis mode: HTTP only)
 * Environment: CONTEXTGEN_TOKEN, REDIS_URL, CONTEXTGEN_MODEL, CONTEXTGEN_STORAGE.
 */
import { join, resolve } from 'node:path';
import { CUTOUT_CHOICES, parseCutoutChoice, type CutoutChoice } from '@contextgen/imaging';
import {
  ArgsError,
  commandUsage,
  parseCommand,
  parseIntegerArg,
  type CommandSpec,
} from '@contextgen/core';
import {
  DEFAULT_LIMITS,
  DEFAULT_PORT,
  DEFAULT_REDIS,
  LOOPBACK,
  type ServeOptions,
} from './options.ts';

export { ArgsError };

export const SERVE_COMMAND = {
  name: 'contextgen serve',
  synopsis: '[options]',
  summary: 'the HTTP API and the web editor',
  options: {
    port: { type: 'string', value: 'P', help: `listen on port P (default ${DEFAULT_PORT})` },
    host: {
      type: 'string',
      value: 'H',
      help: `listen address (default ${LOOPBACK}, loopback only; 0.0.0.0 exposes the server)`,
    },
    model: {
      type: 'string',
      multiple: true,
      value: 'DIR',
      help: 'a model folder (model.json); repeat to serve several; default: the embedded model',
    },
    storage: {
      type: 'string',
      value: 'DIR',
      help: 'where uploads and results live (default ./data/server)',
    },
    'allow-untrained': {
      type: 'boolean',
      help: 'serve models marked trained:false (random test weights); results are flagged untrained',
    },
    'worker-only': {
      type: 'boolean',
      help: 'with REDIS_URL: run generations from the shared queue, no HTTP',
    },
    'no-worker': {
      type: 'boolean',
      help: 'with REDIS_URL: serve HTTP only, leave generations to worker processes',
    },
    quiet: { type: 'boolean', help: 'no request log' },
    cutout: {
      type: 'string',
      value: 'METHOD',
      help: `default cutout of uploads without alpha: ${CUTOUT_CHOICES.join(', ')} (default auto: an installed permissive matting backend, else heuristic); install a backend with npm run matting:install -- <backend>`,
    },
    'allowed-origin': {
      type: 'string',
      multiple: true,
      value: 'O',
      help: 'also accept POST/DELETE from browser pages at origin O (scheme://host:port); repeatable',
    },
    'allowed-host': {
      type: 'string',
      multiple: true,
      value: 'H',
      help: "also answer requests whose Host header names H (a proxy's name); repeatable",
    },
    'retention-days': {
      type: 'string',
      value: 'N',
      help: 'delete finished jobs and uploads older than N days (default 0: keep everything)',
    },
    'drain-seconds': {
      type: 'string',
      value: 'N',
      help: 'on SIGTERM, let running jobs finish for up to N s before re-queueing them (default 30)',
    },
    'unsafe-expose-without-token': {
      type: 'boolean',
      help: 'listen on a non-loopback --host without CONTEXTGEN_TOKEN (anyone who reaches it can use it)',
    },
  },
  notes: `Environment: CONTEXTGEN_TOKEN (require "Authorization: Bearer <token>"), REDIS_URL (shared BullMQ queue),
CONTEXTGEN_MODEL (default model folder), CONTEXTGEN_STORAGE (storage folder).`,
} as const satisfies CommandSpec;

export const SERVE_USAGE = commandUsage(SERVE_COMMAND);

function intArg(flag: string, value: string, min: number, max: number): number {
  return parseIntegerArg(flag, value, min, max);
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
  const args = parseCommand(SERVE_COMMAND, argv);
  if (args.help) throw new ArgsError(SERVE_USAGE);
  const v = args.values;
  const port = v.port !== undefined ? intArg('--port', v.port, 0, 65535) : DEFAULT_PORT;
  const host = v.host ?? LOOPBACK;
  const modelDirs = v.model.map((m) => resolve(cwd, m));
  const storageDir =
    v.storage !== undefined
      ? resolve(cwd, v.storage)
      : env.CONTEXTGEN_STORAGE
        ? resolve(cwd, env.CONTEXTGEN_STORAGE)
        : join(cwd, 'data', 'server');
  const allowUntrained = v['allow-untrained'];
  const http = !v['worker-only'];
  const worker = !v['no-worker'];
  const log = !v.quiet;
  let cutout: CutoutChoice | undefined;
  if (v.cutout !== undefined) {
    try {
      cutout = parseCutoutChoice(v.cutout);
    } catch {
      throw new ArgsError(
        `--cutout ${JSON.stringify(v.cutout)}: use one of ${CUTOUT_CHOICES.join(', ')}`,
      );
    }
  }
  // Exposure and lifecycle flags (issue 12).
  const allowedOrigins = v['allowed-origin'].map(originArg);
  const allowedHosts = v['allowed-host'].map((h) => h.toLowerCase());
  const unsafeExposeWithoutToken = v['unsafe-expose-without-token'];
  const retentionMs =
    v['retention-days'] !== undefined
      ? intArg('--retention-days', v['retention-days'], 0, 36_500) * 86_400_000
      : 0;
  const drainMs =
    v['drain-seconds'] !== undefined
      ? intArg('--drain-seconds', v['drain-seconds'], 0, 3600) * 1000
      : 30_000;
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
    ...(cutout ? { cutout } : {}),
    ...(allowedOrigins.length ? { allowedOrigins } : {}),
    ...(allowedHosts.length ? { allowedHosts } : {}),
    ...(unsafeExposeWithoutToken ? { unsafeExposeWithoutToken } : {}),
    retentionMs,
    drainMs,
  };
}
