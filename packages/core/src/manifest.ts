/**
 * The model manifest (`model.json`, spec/CONTRACTS.md section 4): everything the pipeline
 * knows about a model. Nothing about a model is hard-coded elsewhere.
 */
import { z } from 'zod';
import { formatIssue } from './zod-errors.ts';

const positiveInt = z.int().positive();

/** One ONNX tensor as the manifest describes it: dtype and shape (symbolic dims as strings). */
export const TensorSpecSchema = z.object({
  dtype: z.string(),
  shape: z.array(z.union([z.int(), z.string()])),
});

const IoSchema = z.object({
  inputs: z.record(z.string(), TensorSpecSchema),
  outputs: z.record(z.string(), TensorSpecSchema),
});

export const ShiftConfigSchema = z.object({
  baseTokens: z.number().positive(),
  maxTokens: z.number().positive(),
  baseShift: z.number(),
  maxShift: z.number(),
});

export const ModelLimitsSchema = z.object({
  maxInstances: positiveInt.max(30),
  minSide: positiveInt,
  maxSide: positiveInt,
  maxTokens: positiveInt,
  refArea: positiveInt,
  refMaxSide: positiveInt,
  maxTextTokens: positiveInt,
  maxPhraseTokens: positiveInt,
});

export const ModelManifestSchema = z
  .object({
    format: z.literal('contextgen-model/1'),
    name: z.string().min(1),
    trained: z.boolean(),
    description: z.string().default(''),
    tokenSize: positiveInt,
    channels: z.literal(3),
    pixelRange: z.tuple([z.number(), z.number()]),
    limits: ModelLimitsSchema,
    layerKinds: z.array(z.enum(['cla', 'ica'])).min(1),
    architecture: z.record(z.string(), z.unknown()),
    tokenizer: z.object({
      kind: z.literal('word'),
      vocab: z.string().min(1),
      maxLength: positiveInt,
    }),
    sampling: z.object({
      steps: positiveInt,
      guidance: z.number().nonnegative(),
      shift: ShiftConfigSchema,
    }),
    files: z.object({ textEncoder: z.string().min(1), denoiser: z.string().min(1) }),
    io: z.object({ textEncoder: IoSchema, denoiser: IoSchema }),
    provenance: z.record(z.string(), z.unknown()).default({}),
    benchmarks: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((m, ctx) => {
    if (m.limits.minSide > m.limits.maxSide) {
      ctx.addIssue({
        code: 'custom',
        path: ['limits', 'minSide'],
        message: `minSide ${m.limits.minSide} is larger than maxSide ${m.limits.maxSide}`,
      });
    }
    if (m.limits.minSide % m.tokenSize !== 0 || m.limits.maxSide % m.tokenSize !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['limits'],
        message: `minSide and maxSide must be multiples of tokenSize ${m.tokenSize}`,
      });
    }
    if (m.sampling.shift.maxTokens === m.sampling.shift.baseTokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['sampling', 'shift', 'maxTokens'],
        message: 'maxTokens must differ from baseTokens (mu is linear between them)',
      });
    }
  });

/** A parsed, validated `model.json`. */
export type ModelManifest = z.infer<typeof ModelManifestSchema>;
export type ModelLimits = ModelManifest['limits'];
export type ShiftConfig = z.infer<typeof ShiftConfigSchema>;
export type TensorSpec = z.infer<typeof TensorSpecSchema>;

/** Thrown when a `model.json` does not match the manifest contract. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    message: string,
    readonly folder: string,
    readonly issues: readonly string[],
  ) {
    super(message);
  }
}

/**
 * Validate the parsed JSON of a model folder's `model.json`.
 * @param json the parsed file contents
 * @param folderName the model folder, named in error messages
 * @throws ManifestError listing every field that is wrong
 */
export function parseManifest(json: unknown, folderName: string): ModelManifest {
  const result = ModelManifestSchema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.map(formatIssue);
  throw new ManifestError(
    `model.json in "${folderName}" is not a valid contextgen-model/1 manifest:\n  ` +
      issues.join('\n  ') +
      '\nFix the listed fields (see spec/CONTRACTS.md section 4) or re-export the model.',
    folderName,
    issues,
  );
}
