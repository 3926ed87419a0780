/**
 * The Fastify application: validation, auth, error shape, API routes, OpenAPI and the editor.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import type { AppContext } from './context.ts';
import { HttpError } from './errors.ts';
import { StorageFullError } from '../storage.ts';
import { QueueUnavailable } from '../jobs/types.ts';
import { OPENAPI_PATH, registerMetaRoutes } from './routes-meta.ts';
import { registerJobRoutes } from './routes-jobs.ts';
import { registerJobListRoute } from './routes-job-list.ts';
import { registerUploadRoutes } from './routes-uploads.ts';
import { redactUrl, useAccessPolicy } from './security.ts';
import { endStreamsOnClose } from './sse.ts';
import { useBodyTimeout } from './body-timeout.ts';
import { useZodValidation } from './zod-fastify.ts';

/** Maps Fastify's own errors to messages that say what to change. */
function describe(err: FastifyError, limits: AppContext['options']['limits']): HttpError {
  if (err instanceof HttpError) return err;
  if ((err as Error) instanceof StorageFullError)
    return new HttpError(507, 'storage_full', err.message);
  if ((err as Error) instanceof QueueUnavailable)
    return new HttpError(503, 'queue_unavailable', `${err.message}; retry in a few seconds`);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(
        413,
        'body_too_large',
        `the request body is over the ${limits.maxBodyBytes} byte limit; upload images with POST /api/uploads and refer to them by id`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(
        415,
        'unsupported_media_type',
        `content-type "${err.message.match(/'([^']*)'/)?.[1] ?? '?'}" is not accepted here; send application/json`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'invalid_request', 'the JSON body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(400, 'invalid_request', `the body is not valid JSON (${err.message})`);
    case 'FST_REQ_FILE_TOO_LARGE':
      return new HttpError(
        413,
        'upload_too_large',
        `the file is over the ${(limits.maxUploadBytes / 1048576).toFixed(1)} MiB upload limit; downscale or compress it`,
        'file',
      );
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new HttpError(
        413,
        'too_many_files',
        'send one image per upload request (call POST /api/uploads once per file)',
        'file',
      );
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new HttpError(
        415,
        'unsupported_media_type',
        'send the image as multipart/form-data with the file in a field named "file"',
      );
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return new HttpError(err.statusCode, err.code ?? 'bad_request', err.message);
  return new HttpError(500, 'internal', `internal error: ${err.message}`);
}

export interface RouteInfo {
  readonly method: string;
  readonly url: string;
  readonly public: boolean;
}

const routeLists = new WeakMap<FastifyInstance, RouteInfo[]>();

/** Every route the app registered (method, path pattern, whether it is public): for tests. */
export function routesOf(app: FastifyInstance): readonly RouteInfo[] {
  return routeLists.get(app) ?? [];
}

export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const { options } = ctx;
  const app = Fastify({
    logger: options.log
      ? {
          serializers: {
            // Never log a ?token= value.
            req: (req: { method: string; url: string; ip?: string }) => ({
              method: req.method,
              url: redactUrl(req.url),
              remoteAddress: req.ip,
            }),
          },
        }
      : false,
    bodyLimit: options.limits.maxBodyBytes,
    trustProxy: false,
  });
  useZodValidation(app);
  const routes: RouteInfo[] = [];
  routeLists.set(app, routes);
  app.addHook('onRoute', (r) => {
    // Read `public` later: a plugin's own onRoute hook may set it after this one runs.
    for (const method of [r.method].flat())
      routes.push({
        method,
        url: r.url,
        get public() {
          return r.config?.public === true;
        },
      });
  });
  app.removeContentTypeParser('text/plain'); // JSON only: anything else is a 415 that says so
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ContextGen server',
        version: '0.1.0',
        description: 'Multi-instance generation with layout and reference images.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(options.token ? { security: [{ bearer: [] }] } : {}),
    },
  });
  await app.register(multipart, {
    limits: {
      fileSize: options.limits.maxUploadBytes,
      files: 1,
      parts: 4,
      fields: 2,
      fieldSize: 1024,
    },
  });

  useAccessPolicy(app, options);
  useBodyTimeout(app, options.limits.bodyTimeoutMs);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = describe(err, options.limits);
    if (e.statusCode >= 500) req.log.error(err);
    if (e.statusCode === 503) void reply.header('retry-after', '5');
    void reply.code(e.statusCode).send({
      error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) },
    });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({
      error: {
        code: 'not_found',
        message: `no route ${req.method} ${req.url.split('?')[0]}; see ${OPENAPI_PATH}`,
      },
    });
  });

  endStreamsOnClose(app);
  registerMetaRoutes(app, ctx);
  registerUploadRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerJobListRoute(app, ctx);

  if (options.webDir && existsSync(join(options.webDir, 'index.html'))) {
    const webDir = options.webDir;
    // The editor's files are public (they hold no data; the API behind them needs the token).
    await app.register(async (web) => {
      web.addHook('onRoute', (route) => {
        route.config = { ...route.config, public: true };
      });
      await web.register(fastifyStatic, {
        root: webDir,
        prefix: '/',
        index: ['index.html'],
        wildcard: false,
      });
    });
  } else {
    app.get('/', { schema: { hide: true }, config: { public: true } }, async (_req, reply) =>
      reply
        .type('text/html')
        .send(
          '<!doctype html><title>ContextGen</title><p>The editor is not built. Run <code>npm run build -w @contextgen/web</code> and restart, or use the API (<a href="/api/openapi.json">/api/openapi.json</a>).',
        ),
    );
  }
  return app;
}
