/**
 * The `flux-kontext-lora` model folder: a model.json naming the FLUX.1-Kontext-dev diffusers folder
 * and the ContextGen LoRA, with the published model's sequence rules as data (token size 16,
 * a fixed 512-token text segment, reference size buckets without cropping). Each may be
 * overridden in model.json (the tiny CPU fixture does); nothing else branches on the kind.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { ModelCard, ReferenceSizing } from '@contextgen/core';
import { ModelFolderError } from '../load-model.ts';
import { chooseLoraFile } from './lora-file.ts';

export const MEMORY_PROFILES = ['full', 'offload', 'fp8'] as const;
export type MemoryProfile = (typeof MEMORY_PROFILES)[number];

/** The folders `FluxKontextPipeline.from_pretrained` reads. */
export const DIFFUSERS_PARTS = [
  'model_index.json',
  'transformer',
  'vae',
  'text_encoder',
  'text_encoder_2',
  'tokenizer',
  'tokenizer_2',
  'scheduler',
] as const;

export const HOW_TO_GET_FLUX =
  'Download FLUX.1-Kontext-dev (accept its licence on Hugging Face first): ' +
  '`huggingface-cli download black-forest-labs/FLUX.1-Kontext-dev --local-dir DIR`, then set "flux.diffusers" in model.json to DIR ' +
  '(see the README section "Run the published model")';

const positiveInt = z.int().positive();

/** The published model's rules (official src/model/generate.py). */
export const PUBLISHED_SEQUENCE = {
  tokenSize: 16,
  textTokens: 512,
  references: {
    rule: 'shorter-side-buckets',
    tokenSize: 16,
    buckets: [
      { maxShorterSide: 384, base: 256 },
      { maxShorterSide: 512, base: 384 },
      { maxShorterSide: 768, base: 512 },
      { maxShorterSide: 1024, base: 768 },
    ],
    largestBase: 1024,
    multiple: 16,
  },
} as const;

/** The model.json `kind` of this folder kind (spec/WORKER-PROTOCOL.md section 5). */
export const FLUX_KIND = 'flux-kontext-lora';

const FluxModelJsonSchema = z.object({
  format: z.literal('contextgen-model/1').optional(),
  kind: z.literal(FLUX_KIND),
  name: z.string().min(1),
  trained: z.boolean(),
  description: z.string().default(''),
  tokenSize: z.literal(PUBLISHED_SEQUENCE.tokenSize).optional(),
  flux: z.object({
    /** The diffusers folder (relative to the model folder, or absolute). */
    diffusers: z.string().min(1),
    /** The LoRA file, or a folder holding transformer_NNNNN.safetensors checkpoints. */
    lora: z.string().min(1),
    dtype: z.enum(['bfloat16', 'float32']).default('bfloat16'),
    profile: z.enum(MEMORY_PROFILES).default('full'),
  }),
  /** One `cla`/`ica` per transformer block (the worker checks the count); default: official. */
  layerKinds: z
    .array(z.enum(['cla', 'ica']))
    .min(1)
    .optional(),
  limits: z
    .object({
      maxInstances: positiveInt.max(30).default(10),
      minSide: positiveInt.default(256),
      maxSide: positiveInt.default(1536),
      maxTokens: positiveInt.default(32768),
    })
    .default({ maxInstances: 10, minSide: 256, maxSide: 1536, maxTokens: 32768 }),
  sampling: z
    .object({ steps: positiveInt.default(28), guidance: z.number().min(0).max(20).default(3.5) })
    .default({ steps: 28, guidance: 3.5 }),
  /** Reference size buckets; default: the published ones. */
  referenceBuckets: z
    .array(z.object({ maxShorterSide: positiveInt, base: positiveInt }))
    .min(1)
    .optional(),
  largestReferenceBase: positiveInt.optional(),
  provenance: z.record(z.string(), z.unknown()).default({}),
});

/** What the worker needs beyond the card. */
export interface FluxConfig {
  /** Absolute diffusers folder. */
  readonly base: string;
  /** Absolute LoRA file. */
  readonly lora: string;
  readonly dtype: 'bfloat16' | 'float32';
  readonly profile: MemoryProfile;
  readonly textTokens: number;
  readonly references: ReferenceSizing;
}

export interface FluxCard extends ModelCard {
  readonly flux: FluxConfig;
}

export function isFluxCard(card: ModelCard): card is FluxCard {
  return card.kind === FLUX_KIND && 'flux' in card;
}

/** Parts of a diffusers folder that are missing. */
export function missingDiffusersParts(base: string): string[] {
  return DIFFUSERS_PARTS.filter((p) => !existsSync(join(base, p)));
}

/**
 * Parse and check a flux-kontext model.json and the files it names.
 * @throws ModelFolderError naming each problem and how to fix it
 */
export function parseFluxCard(json: unknown, folder: string, checkFiles = true): FluxCard {
  const parsed = FluxModelJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(top level)'}: ${i.message}`,
    );
    throw new ModelFolderError(
      `model.json in ${folder} is not a valid flux-kontext model:\n  ${issues.join('\n  ')}\n` +
        'See the README section "Run the published model" for an example model.json.',
    );
  }
  const m = parsed.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(folder, p));
  const base = abs(m.flux.diffusers);
  if (checkFiles && (!existsSync(base) || !statSync(base).isDirectory())) {
    throw new ModelFolderError(
      `model "${m.name}": the base model folder ${base} ("flux.diffusers" in model.json) does not exist. ${HOW_TO_GET_FLUX}`,
    );
  }
  const missing = checkFiles ? missingDiffusersParts(base) : [];
  if (missing.length > 0) {
    throw new ModelFolderError(
      `model "${m.name}": ${base} is not a complete diffusers FLUX.1-Kontext folder; it lacks ${missing.join(', ')}. ${HOW_TO_GET_FLUX}`,
    );
  }
  const lora = checkFiles ? chooseLoraFile(abs(m.flux.lora)) : abs(m.flux.lora);
  const P = PUBLISHED_SEQUENCE.tokenSize;
  if (
    m.limits.minSide % P !== 0 ||
    m.limits.maxSide % P !== 0 ||
    m.limits.minSide > m.limits.maxSide
  ) {
    throw new ModelFolderError(
      `model.json in ${folder}: limits.minSide ${m.limits.minSide} and maxSide ${m.limits.maxSide} must be multiples of ${P} with minSide <= maxSide`,
    );
  }
  const references: ReferenceSizing = {
    ...PUBLISHED_SEQUENCE.references,
    ...(m.referenceBuckets
      ? { buckets: [...m.referenceBuckets].sort((a, b) => a.maxShorterSide - b.maxShorterSide) }
      : {}),
    ...(m.largestReferenceBase ? { largestBase: m.largestReferenceBase } : {}),
  };
  return {
    kind: FLUX_KIND,
    name: m.name,
    folder,
    description: m.description,
    trained: m.trained,
    tokenSize: P,
    limits: m.limits,
    sampling: {
      steps: m.sampling.steps,
      guidance: m.sampling.guidance,
      // Dynamic shift of the FLUX scheduler (mu from the main token count).
      shift: { baseTokens: 256, maxTokens: 4096, baseShift: 0.5, maxShift: 1.15 },
    },
    provenance: m.provenance,
    flux: {
      base,
      lora,
      dtype: m.flux.dtype,
      profile: m.flux.profile,
      textTokens: PUBLISHED_SEQUENCE.textTokens,
      references,
    },
  };
}
