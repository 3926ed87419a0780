/** Health, model list and the OpenAPI description. */
import type { FastifyInstance } from 'fastify';
import { untrainedWarning } from '../models.ts';
import { HealthSchema, ModelListSchema } from './api-schemas.ts';
import type { AppContext } from './context.ts';
import { json } from './zod-fastify.ts';

export const OPENAPI_PATH = '/api/openapi.json';

export function registerMetaRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { options, models, queue } = ctx;

  app.get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness and server facts',
        response: { 200: json(HealthSchema, 'output') },
      },
    },
    async () => ({
      ok: true,
      queue: queue.kind,
      auth: options.token !== undefined,
      models: models.length,
      limits: { ...options.limits },
    }),
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
          limits: {
            ...m.manifest.limits,
            maxInstances: Math.min(m.manifest.limits.maxInstances, options.limits.maxInstances),
          },
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
