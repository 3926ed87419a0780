/** @contextgen/server: the HTTP API, job queues (in-process or Redis) and storage. */
export {
  serve,
  completeOptions,
  DEFAULT_WEB_DIR,
  type RunningServer,
  type ServeInput,
} from './serve.ts';
export { parseServeArgs, ArgsError, SERVE_COMMAND, SERVE_USAGE } from './args.ts';
export {
  DEFAULT_LIMITS,
  DEFAULT_PORT,
  type ServeOptions,
  type ServerLimits,
  type RedisOptions,
} from './options.ts';
export { buildApp } from './http/app.ts';
export { OPENAPI_PATH } from './http/routes-meta.ts';
export type { JobRecord, JobResult, JobStatus, JobEvent } from './jobs/types.ts';
