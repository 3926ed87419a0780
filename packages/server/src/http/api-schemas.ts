/**
 * The API's request and response schemas, written once in zod (the request body extends the
 * core's `GenerationRequestSchema`) and turned into JSON schema for the OpenAPI description.
 */
import { z } from 'zod';
import { GenerationRequestSchema, InstanceRequestSchema } from '@contextgen/core';
import { CUTOUT_CHOICES, MATTING_BACKEND_IDS, type CutoutChoice } from '@contextgen/imaging';
import { ID_PATTERNS } from '../ids.ts';
import { JOB_FILES } from '../storage.ts';

export const UploadIdSchema = z
  .string()
  .regex(
    ID_PATTERNS.upl,
    'must be an upload id ("upl_" + 20 letters/digits) as returned by POST /api/uploads',
  );
export const JobIdSchema = z
  .string()
  .regex(
    ID_PATTERNS.job,
    'must be a job id ("job_" + 20 letters/digits) as returned by POST /api/jobs',
  );

export const UploadParamsSchema = z.object({ id: UploadIdSchema });
export const UploadFileParamsSchema = z.object({
  id: UploadIdSchema,
  file: z.enum(['original', 'cutout.png', 'mask.png'], {
    error: 'must be one of original, cutout.png, mask.png',
  }),
});
export const JobParamsSchema = z.object({ id: JobIdSchema });
export const JobFileParamsSchema = z.object({
  id: JobIdSchema,
  file: z.enum(JOB_FILES, { error: `must be one of ${JOB_FILES.join(', ')}` }),
});

const NO_MASK =
  "the server takes each reference's mask from its upload's cutout; redo it with POST /api/uploads/{id}/cutout instead of sending a mask";

/** A generation job: the core request, with images named by upload ids. */
export const JobRequestSchema = GenerationRequestSchema.extend({
  instances: z
    .array(
      InstanceRequestSchema.extend({
        reference: UploadIdSchema.optional(),
        mask: z.never({ error: NO_MASK }).optional(),
      }),
    )
    .default([]),
  layoutImage: UploadIdSchema.optional(),
});

// Cutout methods (see packages/server/src/cutouts.ts).
const CutoutChoiceSchema = z.enum(CUTOUT_CHOICES as [CutoutChoice, ...CutoutChoice[]], {
  error: `must be one of ${CUTOUT_CHOICES.join(', ')}`,
});
const CutoutMethodSchema = z.enum(['heuristic', ...MATTING_BACKEND_IDS]);

export const CutoutRequestSchema = z.object({
  mode: z.enum(['auto', 'alpha', 'none'], {
    error:
      'must be "auto" (automatic cutout), "alpha" (the image\'s transparency) or "none" (whole image)',
  }),
  threshold: z.number().min(1).max(100).optional(),
  /** Mode auto: heuristic or a matting backend (default: the server's --cutout). */
  method: CutoutChoiceSchema.optional(),
});

export const UploadQuerySchema = z.object({ method: CutoutChoiceSchema.optional() });

export const CutoutMethodsSchema = z.object({
  default: CutoutChoiceSchema,
  auto: CutoutMethodSchema,
  methods: z.array(
    z.object({
      id: CutoutMethodSchema,
      installed: z.boolean(),
      licence: z.string(),
      copyleft: z.boolean(),
      install: z.string().optional(),
    }),
  ),
});

export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

export const UploadInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  width: z.int(),
  height: z.int(),
  cutoutWidth: z.int(),
  cutoutHeight: z.int(),
  maskSource: z.enum(['alpha', 'auto', 'none']),
  /** With maskSource auto: heuristic or the matting backend that made the mask. */
  cutoutMethod: CutoutMethodSchema.optional(),
  maskCoverage: z.number(),
  /** Doubts about the cutout for the user (e.g. a heuristic mask with a hole inside the subject). */
  warnings: z.array(z.string()),
  urls: z.object({ original: z.string(), cutout: z.string(), mask: z.string() }),
});

const JobResultSchema = z.object({
  seed: z.int(),
  width: z.int(),
  height: z.int(),
  untrained: z.boolean(),
  warnings: z.array(z.string()),
  timings: z.object({ modelMs: z.number(), totalMs: z.number() }),
  resultUrl: z.string(),
  layoutUrl: z.string(),
});

export const JobRecordSchema = z.object({
  id: z.string(),
  model: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  position: z.int().optional(),
  progress: z.object({ step: z.int(), total: z.int() }).optional(),
  request: z.unknown(),
  result: JobResultSchema.optional(),
  error: z.object({ message: z.string(), field: z.string().optional() }).optional(),
  worker: z.string().optional(),
  attempts: z.int().optional(),
  recovery: z.string().optional(),
  eventsUrl: z.string().optional(),
});

export const ModelInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  trained: z.boolean(),
  untrained: z.boolean(),
  warning: z.string().optional(),
  tokenSize: z.int(),
  limits: z.record(z.string(), z.number()),
  defaults: z.object({ steps: z.int(), guidance: z.number() }),
  queued: z.int(),
  running: z.int(),
});

export const ModelListSchema = z.object({ models: z.array(ModelInfoSchema), default: z.string() });

export const HealthSchema = z.object({
  ok: z.boolean(),
  queue: z.enum(['local', 'redis']),
  queueDetail: z.string().optional(),
  auth: z.boolean(),
  models: z.int(),
  limits: z.record(z.string(), z.number()),
});
