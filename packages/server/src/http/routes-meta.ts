/** Health, model list and the OpenAPI description. */
import type { FastifyInstance } from 'fastify';
import { runnableCanvas } from '@contextgen/core';
import { untrainedWarning, type ServedModel } from '../models.ts';
import { HealthSchema, ModelListSchema } from './api-schemas.ts';
import type { AppContext } from './context.ts';
import { json } from './zod-fastify.ts';

export const OPENAPI_PATH = '/api/openapi.json';

/**
 * The limits a model publishes, all of them runnable: `maxSide` is the largest side for which
 * every canvas up to maxSide x maxSide fits `maxTokens` (with an empty prompt, no phrase, no
 * reference); references and text add to the count, which a submit checks and reports.
 */
export function publishedLimits(
  m: ServedModel,
  serverMaxInstances: number,
): Record<string, number> {
  const budget = m.manifest.tokenBudget;
  const canvas = budget ? runnableCanvas(budget) : undefined;
  return {
    ...m.manifest.limits,
    ...(canvas ? { maxSide: canvas.maxSquareSide, maxCanvasTokens: canvas.maxCanvasTokens } : {}),
    maxInstances: Math.min(m.manifest.limits.maxInstances, serverMaxInstances),
  };
}

export function registerMetaRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { options, models, queue } = ctx;

  app.get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness and server facts',
        response: { 200: json(HealthSchema, 'output'), 503: json(HealthSchema, 'output') },
      },
    },
    async (_req, reply) => {
      // ok: this process answers and its queue backend (Redis) does; 503 when not.
      const q = await queue.health();
      if (!q.ok) void reply.code(503);
      return {
        ok: q.ok,
        queue: queue.kind,
        ...(q.detail ? { queueDetail: q.detail } : {}),
        auth: options.token !== undefined,
        models: models.length,
        limits: { ...options.limits },
      };
    },
  );

  app.get(
    '/api/models',
    {
      schema: {
        summary: 'The models served, with their limits; untrained models are flagged',
        response: { 200: json(ModelListSchema, 'output') },
      },
    },
    async () => ({
      default: models[0]?.name ?? '',
      models: await Promise.all(
        models.map(async (m) => ({
          name: m.name,
          description: m.manifest.description,
          trained: m.manifest.trained,
          untrained: m.untrained,
          ...(m.untrained ? { warning: untrainedWarning(m.name) } : {}),
          tokenSize: m.manifest.tokenSize,
          limits: publishedLimits(m, options.limits.maxInstances),
          defaults: { steps: m.manifest.sampling.steps, guidance: m.manifest.sampling.guidance },
          ...(await queue.load(m.name)),
        })),
      ),
    }),
  );

  app.get(OPENAPI_PATH, { schema: { hide: true }, config: { public: true } }, async () =>
    app.swagger(),
  );
}
