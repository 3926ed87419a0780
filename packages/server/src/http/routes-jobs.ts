/** Creating jobs, reading their status and results, the event stream, cancelling. */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { RequestError, requestLimits, validateRequest } from '@contextgen/core';
import { newId } from '../ids.ts';
import { FINAL_STATUSES, type JobRecord, type JobSpec } from '../jobs/types.ts';
import {
  ErrorSchema,
  JobFileParamsSchema,
  JobParamsSchema,
  JobRecordSchema,
  JobRequestSchema,
} from './api-schemas.ts';
import type { AppContext } from './context.ts';
import { HttpError } from './errors.ts';
import { streamJobEvents } from './sse.ts';
import { json } from './zod-fastify.ts';

type JobRequest = z.infer<typeof JobRequestSchema>;

export function withLinks(record: JobRecord): JobRecord & { eventsUrl: string } {
  return { ...record, eventsUrl: `/api/jobs/${record.id}/events` };
}

/** Reads the uploads a request names; each missing one is a 400 naming its field. */
async function collectImages(ctx: AppContext, req: JobRequest): Promise<Record<string, string>> {
  const images: Record<string, string> = {};
  const want: { id: string; field: string; file: 'cutout.png' | 'original' }[] = [];
  req.instances.forEach((inst, j) => {
    if (inst.reference)
      want.push({ id: inst.reference, field: `instances[${j}].reference`, file: 'cutout.png' });
  });
  if (req.layoutImage) want.push({ id: req.layoutImage, field: 'layoutImage', file: 'original' });
  for (const w of want) {
    const bytes = await ctx.storage.readUploadFile(w.id, w.file);
    if (!bytes)
      throw new HttpError(
        400,
        'unknown_upload',
        `${w.field}: no upload ${w.id} on this server; upload the image first (POST /api/uploads)`,
        w.field,
      );
    images[w.id] = bytes.toString('base64');
  }
  return images;
}

export function registerJobRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { queue, storage, models, options } = ctx;

  async function findJob(id: string): Promise<JobRecord> {
    const record = await queue.get(id);
    if (!record) throw new HttpError(404, 'not_found', `no job ${id} on this server`);
    return record;
  }

  app.post(
    '/api/jobs',
    {
      schema: {
        summary: 'Create a generation job; returns at once with the job id (202)',
        body: json(JobRequestSchema),
        response: {
          202: json(JobRecordSchema, 'output'),
          400: json(ErrorSchema, 'output'),
          429: json(ErrorSchema, 'output'),
        },
      },
    },
    async (req, reply) => {
      const body = req.body as JobRequest;
      const model = body.model ? models.find((m) => m.name === body.model) : models[0];
      if (!model) {
        throw new HttpError(
          400,
          'unknown_model',
          `model: "${body.model}" is not served here; choose one of ${models.map((m) => m.name).join(', ')}`,
          'model',
        );
      }
      const maxInstances = Math.min(
        options.limits.maxInstances,
        model.manifest.limits.maxInstances,
      );
      if (body.instances.length > maxInstances) {
        throw new HttpError(
          400,
          'too_many_instances',
          `instances: ${body.instances.length} given but at most ${maxInstances} are allowed (model "${model.name}"); remove ${body.instances.length - maxInstances}`,
          'instances',
        );
      }
      try {
        validateRequest(body, requestLimits(model.manifest));
      } catch (err) {
        if (err instanceof RequestError)
          throw new HttpError(400, 'invalid_request', err.message, err.field);
        throw err;
      }
      const images = await collectImages(ctx, body);
      if ((await queue.activeCount()) >= options.limits.maxQueuedJobs) {
        throw new HttpError(
          429,
          'queue_full',
          `the queue is full (${options.limits.maxQueuedJobs} jobs waiting or running); try again when some finish`,
        );
      }
      const spec: JobSpec = {
        id: newId('job'),
        model: model.name,
        request: { ...body, model: model.name },
        images,
      };
      const record = await queue.submit(spec);
      return reply.code(202).header('location', `/api/jobs/${record.id}`).send(withLinks(record));
    },
  );

  app.get(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'Job status, queue position, progress and result',
        params: json(JobParamsSchema),
        response: { 200: json(JobRecordSchema, 'output') },
      },
    },
    async (req) => withLinks(await findJob((req.params as z.infer<typeof JobParamsSchema>).id)),
  );

  app.get(
    '/api/jobs/:id/events',
    {
      schema: {
        summary: 'Server-sent events: status, queue position, step progress with previews, done',
        params: json(JobParamsSchema),
        produces: ['text/event-stream'],
      },
    },
    async (req, reply) => {
      const { id } = req.params as z.infer<typeof JobParamsSchema>;
      await findJob(id);
      streamJobEvents(req, reply, queue, id);
    },
  );

  app.get(
    '/api/jobs/:id/:file',
    {
      schema: {
        summary: 'The result image or the layout image (PNG)',
        params: json(JobFileParamsSchema),
      },
    },
    async (req, reply) => {
      const { id, file } = req.params as z.infer<typeof JobFileParamsSchema>;
      const record = await findJob(id);
      if (record.status !== 'succeeded') {
        throw new HttpError(
          404,
          'not_ready',
          `job ${id} is ${record.status}; ${file} exists only after it succeeds`,
        );
      }
      const bytes = await storage.readJobFile(id, file);
      if (!bytes) throw new HttpError(404, 'not_found', `job ${id} has no ${file} on this server`);
      return reply
        .type('image/png')
        .header('cache-control', 'private, max-age=31536000, immutable')
        .send(bytes);
    },
  );

  app.post(
    '/api/jobs/:id/cancel',
    {
      schema: {
        summary: 'Cancel a queued or running job',
        params: json(JobParamsSchema),
        response: { 202: json(JobRecordSchema, 'output'), 409: json(ErrorSchema, 'output') },
      },
    },
    async (req, reply) => {
      const { id } = req.params as z.infer<typeof JobParamsSchema>;
      const before = await findJob(id);
      if (FINAL_STATUSES.includes(before.status)) {
        throw new HttpError(
          409,
          'already_finished',
          `job ${id} already ${before.status}; there is nothing to cancel`,
        );
      }
      const after = await queue.cancel(id);
      return reply.code(202).send(withLinks(after ?? before));
    },
  );
}
