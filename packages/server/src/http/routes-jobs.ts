/** Creating jobs, reading their status and results, the event stream, cancelling. */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import {
  describeTokenCount,
  RequestError,
  requestLimits,
  requestTokenCount,
  validateRequest,
  type ReferenceSize,
} from '@contextgen/core';
import type { ServedModel } from '../models.ts';
import { newId } from '../ids.ts';
import { FINAL_STATUSES, SubmitRefused, type JobRecord, type JobSpec } from '../jobs/types.ts';
import { StorageFullError } from '../storage.ts';
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

interface NamedInput {
  readonly upload: string;
  readonly field: string;
  readonly file: 'cutout.png' | 'original';
}

/** The uploads a request names, each with its request field. */
function namedInputs(req: JobRequest): NamedInput[] {
  const want: NamedInput[] = [];
  req.instances.forEach((inst, j) => {
    if (inst.reference)
      want.push({ upload: inst.reference, field: `instances[${j}].reference`, file: 'cutout.png' });
  });
  if (req.layoutImage)
    want.push({ upload: req.layoutImage, field: 'layoutImage', file: 'original' });
  return want;
}

function unknownUpload(input: NamedInput): HttpError {
  return new HttpError(
    400,
    'unknown_upload',
    `${input.field}: no upload ${input.upload} on this server; upload the image first (POST /api/uploads)`,
    input.field,
  );
}

/**
 * Refuses a request the model cannot run, with the token count: every reference's token grid
 * follows its mask's bounding box, known from the upload.
 */
async function checkTokenBudget(
  ctx: AppContext,
  req: JobRequest,
  model: ServedModel,
): Promise<void> {
  const budget = model.manifest.tokenBudget;
  if (!budget) return;
  const sizes = new Map<string, ReferenceSize>();
  for (const input of namedInputs(req)) {
    if (input.file !== 'cutout.png') continue;
    const meta = await ctx.storage.readUploadMeta(input.upload);
    if (!meta) throw unknownUpload(input);
    sizes.set(input.upload, meta.maskBox ?? 'unknown');
  }
  const count = requestTokenCount(
    {
      width: req.width,
      height: req.height,
      prompt: req.prompt,
      instances: req.instances.map((inst) => ({
        ...(inst.phrase !== undefined ? { phrase: inst.phrase } : {}),
        ...(inst.reference !== undefined ? { reference: sizes.get(inst.reference)! } : {}),
      })),
    },
    budget,
  );
  if (!count.fits) throw new HttpError(400, 'too_many_tokens', describeTokenCount(count), 'width');
}

/** The HTTP answer for a submit the storage or the queue refused. */
function submitError(err: unknown): unknown {
  if (err instanceof SubmitRefused) return new HttpError(err.statusCode, err.code, err.message);
  if (err instanceof StorageFullError) return new HttpError(507, 'storage_full', err.message);
  return err;
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
      await checkTokenBudget(ctx, body, model);
      // A cheap early refusal; the queue checks the cap again, exactly, when it enqueues.
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
      };
      let record: JobRecord;
      try {
        // The images the job reads are snapshotted into its folder first; then its record.
        const missing = await storage.snapshotInputs(spec.id, namedInputs(body));
        if (missing) throw unknownUpload(namedInputs(body).find((i) => i.upload === missing)!);
        record = await queue.submit(spec, options.limits.maxQueuedJobs);
      } catch (err) {
        // Nothing of a refused job stays behind to run later.
        await storage.removeJob(spec.id).catch(() => {});
        throw submitError(err);
      }
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
      if (after && (after.status === 'succeeded' || after.status === 'failed')) {
        throw new HttpError(
          409,
          'already_finished',
          `job ${id} ${after.status} before the cancel took effect${after.status === 'succeeded' ? '; its result is kept' : ''}`,
        );
      }
      return reply.code(202).send(withLinks(after ?? before));
    },
  );

  app.delete(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'Delete a finished job: its record, result images and input copies',
        params: json(JobParamsSchema),
      },
    },
    async (req, reply) => {
      const { id } = req.params as z.infer<typeof JobParamsSchema>;
      const record = await findJob(id);
      if (!(await queue.remove(id))) {
        throw new HttpError(
          409,
          'still_active',
          `job ${id} is ${record.status}; cancel it first (POST /api/jobs/${id}/cancel), then delete it`,
        );
      }
      return reply.code(204).send();
    },
  );
}
