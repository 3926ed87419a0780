/**
 * The generation request: what a user asks for, validated with field-named errors.
 * Images are referred to by string (a file path, a URL or a `data:` URL); the caller decodes
 * them and hands the core `RgbaImage`/`Mask` values.
 */
import { z } from 'zod';
import type { ModelManifest } from './manifest.ts';
import type { PixelBox } from './types.ts';
import { issuePath } from './zod-errors.ts';

export const MAX_SEED = 0xffffffff;
export const STEPS_RANGE = [1, 200] as const;
export const GUIDANCE_RANGE = [0, 30] as const;

/** A file path, an http(s) URL or a `data:image/...;base64,` URL. */
export const ImageSourceSchema = z.string().min(1, 'must be a non-empty path, URL or data: URL');

export const ResizeRuleSchema = z.enum(['instance-fit', 'image-fit', 'stretch']);

const coordinate = z.number({ error: 'must be a finite number of pixels' });

export const BoxSchema = z
  .tuple([coordinate, coordinate, coordinate, coordinate], {
    error: 'must be [x1, y1, x2, y2] with four finite numbers in canvas pixels',
  })
  .readonly();

export const InstanceRequestSchema = z.object({
  /** `[x1, y1, x2, y2]` in canvas pixels. */
  box: BoxSchema,
  /** Reference image of the subject (RGBA: alpha is the cutout mask). */
  reference: ImageSourceSchema.optional(),
  /** Separate cutout mask for an RGB reference (non-zero = subject). */
  mask: ImageSourceSchema.optional(),
  /** Optional per-instance text (MIGC-style extension). */
  phrase: z.string().optional(),
  /** A short name for the instance, for interfaces and reports; the model never reads it. */
  label: z.string().optional(),
  resize: ResizeRuleSchema.optional(),
  /** Paint order in the layout image: higher is on top. */
  z: z.number().optional(),
});

/** Message for a missing or mistyped field: "is required" vs "must be <what>". */
function typeError(what: string): { error: (issue: { input?: unknown }) => string } {
  return {
    error: (issue) => (issue.input === undefined ? `is required (${what})` : `must be ${what}`),
  };
}

function pixels() {
  return z
    .int(typeError('a whole number of pixels'))
    .positive('must be a positive number of pixels');
}

export const GenerationRequestSchema = z.object({
  width: pixels(),
  height: pixels(),
  prompt: z.string(typeError('a text prompt (may be empty "")')),
  negativePrompt: z.string(typeError('text')).optional(),
  instances: z.array(InstanceRequestSchema, typeError('a list of instances')).default([]),
  /** A ready layout image, used as is instead of composing one. */
  layoutImage: ImageSourceSchema.optional(),
  /** 0 .. 2^32-1; drawn at random (and reported) when absent. */
  seed: z
    .int(typeError(`a whole number in 0..${MAX_SEED}`))
    .min(0, `must be in 0..${MAX_SEED}`)
    .max(MAX_SEED, `must be in 0..${MAX_SEED}`)
    .optional(),
  steps: z
    .int(typeError(`a whole number in ${STEPS_RANGE[0]}..${STEPS_RANGE[1]}`))
    .min(STEPS_RANGE[0], `must be at least ${STEPS_RANGE[0]}`)
    .max(STEPS_RANGE[1], `must be at most ${STEPS_RANGE[1]}; more steps rarely help`)
    .optional(),
  guidance: z
    .number(typeError(`a number in ${GUIDANCE_RANGE[0]}..${GUIDANCE_RANGE[1]}`))
    .min(
      GUIDANCE_RANGE[0],
      `must be in ${GUIDANCE_RANGE[0]}..${GUIDANCE_RANGE[1]} (1 = no guidance)`,
    )
    .max(
      GUIDANCE_RANGE[1],
      `must be in ${GUIDANCE_RANGE[0]}..${GUIDANCE_RANGE[1]} (1 = no guidance)`,
    )
    .optional(),
  /** Model folder name or path; the caller resolves it. */
  model: z.string(typeError('a model name or folder')).min(1, 'must not be empty').optional(),
});

export type ImageSource = z.infer<typeof ImageSourceSchema>;
export type InstanceRequest = z.infer<typeof InstanceRequestSchema>;
export type GenerationRequest = z.infer<typeof GenerationRequestSchema>;

/** What a model allows; build it from a manifest with `requestLimits`. */
export interface RequestLimits {
  readonly tokenSize: number;
  readonly maxInstances: number;
  readonly minSide: number;
  readonly maxSide: number;
  /** Filled in when the request has no steps / guidance. */
  readonly defaultSteps: number;
  readonly defaultGuidance: number;
}

export function requestLimits(
  manifest: Pick<ModelManifest, 'tokenSize' | 'sampling'> & {
    readonly limits: Pick<ModelManifest['limits'], 'maxInstances' | 'minSide' | 'maxSide'>;
  },
): RequestLimits {
  return {
    tokenSize: manifest.tokenSize,
    maxInstances: manifest.limits.maxInstances,
    minSide: manifest.limits.minSide,
    maxSide: manifest.limits.maxSide,
    defaultSteps: manifest.sampling.steps,
    defaultGuidance: manifest.sampling.guidance,
  };
}

/** A request after validation: canvas a multiple of the token size, boxes clipped, steps and guidance filled. */
export type ValidRequest = GenerationRequest & { steps: number; guidance: number };

/** A problem with the user's request: `field` is the path (`instances[2].box`). */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const KNOWN_TOP = new Set(Object.keys(GenerationRequestSchema.shape));
const KNOWN_INSTANCE = new Set(Object.keys(InstanceRequestSchema.shape));

function unknownKeyWarnings(json: unknown): string[] {
  const out: string[] = [];
  if (typeof json !== 'object' || json === null) return out;
  for (const k of Object.keys(json))
    if (!KNOWN_TOP.has(k)) out.push(`ignored unknown field "${k}"`);
  const instances = (json as { instances?: unknown }).instances;
  if (Array.isArray(instances)) {
    instances.forEach((inst, i) => {
      if (typeof inst !== 'object' || inst === null) return;
      for (const k of Object.keys(inst)) {
        if (!KNOWN_INSTANCE.has(k)) out.push(`instances[${i}]: ignored unknown field "${k}"`);
      }
    });
  }
  return out;
}

function roundSide(
  field: 'width' | 'height',
  value: number,
  limits: RequestLimits,
  warnings: string[],
): number {
  const p = limits.tokenSize;
  const rounded = Math.max(p, Math.round(value / p) * p);
  if (rounded !== value) {
    warnings.push(
      `${field} ${value} is not a multiple of the model's token size ${p}; rounded to ${rounded}`,
    );
  }
  if (rounded < limits.minSide || rounded > limits.maxSide) {
    throw new RequestError(
      field,
      `${value} px is outside this model's range ${limits.minSide}..${limits.maxSide} px; choose a ${field} in that range (a multiple of ${p})`,
    );
  }
  return rounded;
}

function checkBox(
  i: number,
  box: PixelBox,
  width: number,
  height: number,
  warnings: string[],
): PixelBox {
  const field = `instances[${i}].box`;
  const [x1, y1, x2, y2] = box;
  if (x2 < x1 || y2 < y1) {
    throw new RequestError(
      field,
      `[${box.join(', ')}] is inverted (x2 must be > x1 and y2 > y1); write it as [left, top, right, bottom], e.g. [${Math.min(x1, x2)}, ${Math.min(y1, y2)}, ${Math.max(x1, x2)}, ${Math.max(y1, y2)}]`,
    );
  }
  if (x2 === x1 || y2 === y1) {
    throw new RequestError(
      field,
      `[${box.join(', ')}] is empty (zero width or height); give the box a positive size`,
    );
  }
  if (x2 <= 0 || y2 <= 0 || x1 >= width || y1 >= height) {
    throw new RequestError(
      field,
      `[${box.join(', ')}] lies entirely outside the ${width}x${height} canvas; move it inside (x in 0..${width}, y in 0..${height})`,
    );
  }
  const clipped: PixelBox = [
    Math.max(0, x1),
    Math.max(0, y1),
    Math.min(width, x2),
    Math.min(height, y2),
  ];
  if (clipped.some((v, k) => v !== box[k])) {
    warnings.push(
      `${field} [${box.join(', ')}] extends past the ${width}x${height} canvas; clipped to [${clipped.join(', ')}]`,
    );
  }
  return clipped;
}

/**
 * Validate a request against a model's limits.
 * Rounds the canvas to the nearest multiple of the token size and clips partly-outside boxes
 * (both with a warning); fills `steps`/`guidance` from the model defaults.
 * @throws RequestError naming the field, the limit and the fix
 */
export function validateRequest(
  json: unknown,
  limits: RequestLimits,
): { request: ValidRequest; warnings: string[] } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RequestError(
      'request',
      'must be a JSON object with width, height, prompt and instances',
    );
  }
  const parsed = GenerationRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const rest = parsed.error.issues.slice(1).map((i) => `; ${issuePath(i.path)}: ${i.message}`);
    throw new RequestError(issuePath(issue.path), issue.message + rest.join(''));
  }
  const warnings = unknownKeyWarnings(json);
  const req = parsed.data;
  const width = roundSide('width', req.width, limits, warnings);
  const height = roundSide('height', req.height, limits, warnings);
  if (req.instances.length > limits.maxInstances) {
    throw new RequestError(
      'instances',
      `${req.instances.length} instances given but this model handles at most ${limits.maxInstances}; remove ${req.instances.length - limits.maxInstances} or merge some`,
    );
  }
  const instances = req.instances.map((inst, i) => {
    if (inst.mask !== undefined && inst.reference === undefined) {
      throw new RequestError(
        `instances[${i}].mask`,
        'a mask was given without a reference image; add "reference" or drop "mask"',
      );
    }
    return { ...inst, box: checkBox(i, inst.box, width, height, warnings) };
  });
  const request: ValidRequest = {
    ...req,
    width,
    height,
    instances,
    steps: req.steps ?? limits.defaultSteps,
    guidance: req.guidance ?? limits.defaultGuidance,
  };
  return { request, warnings };
}
