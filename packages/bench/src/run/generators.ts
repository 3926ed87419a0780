/**
 * What produces the image for a case. Two reference rows need no model: `ground-truth` (the
 * rendered target, the ceiling) and `layout` (the layout image itself, the copy-paste
 * baseline). Anything else is a model folder opened as a `Generator` (any model kind).
 */
import { alphaToMask } from '@contextgen/core';
import type { GenerationRequest, ReferenceCutout } from '@contextgen/core';
import { openGenerator as openModel } from '@contextgen/runtime';
import type { Raster } from '../image/raster.ts';
import { toRgb } from '../image/raster.ts';
import type { BenchCase } from '../sets/bench-set.ts';
import type { RenderedCase } from '../sets/render-case.ts';

export interface Generated {
  readonly image: Raster;
  readonly seed: number;
  readonly ms: number;
}

export interface CaseGenerator {
  /** `ground-truth`, `layout`, or the model's name. */
  readonly name: string;
  readonly kind: 'reference-row' | 'model';
  /** False for untrained fixtures: their figures are not results. */
  readonly trained: boolean;
  readonly info: Record<string, unknown>;
  generate(c: BenchCase, r: RenderedCase): Promise<Generated>;
  dispose(): Promise<void>;
}

export const REFERENCE_ROWS = ['ground-truth', 'layout'] as const;

function referenceRow(name: (typeof REFERENCE_ROWS)[number]): CaseGenerator {
  return {
    name,
    kind: 'reference-row',
    trained: true,
    info: {
      description:
        name === 'ground-truth'
          ? 'the rendered target (ceiling)'
          : 'the layout image itself (copy-paste baseline)',
    },
    generate: async (c, r) => ({
      image: name === 'ground-truth' ? r.target : r.layout,
      seed: c.seed,
      ms: 0,
    }),
    dispose: async () => {},
  };
}

/** The request a model gets for a case: caption, boxes, phrases, depth order and references. */
export function caseRequest(
  c: BenchCase,
  r: RenderedCase,
  steps?: number,
): { request: GenerationRequest; references: ReferenceCutout[] } {
  const request: GenerationRequest = {
    width: r.target.width,
    height: r.target.height,
    prompt: r.caption,
    seed: c.seed,
    ...(steps !== undefined ? { steps } : {}),
    instances: r.boxes.map((box, j) => ({
      box: [...box] as [number, number, number, number],
      phrase: r.phrases[j]!,
      label: r.identities[j]!,
      z: r.z[j]!,
    })),
  };
  const references = r.references.map((ref) => {
    const image = { width: ref.width, height: ref.height, data: new Uint8ClampedArray(ref.data) };
    return { image, mask: alphaToMask(image) };
  });
  return { request, references };
}

export interface GeneratorOptions {
  readonly threads?: number;
  readonly steps?: number;
  readonly allowUntrained?: boolean;
}

export async function openGenerator(
  model: string,
  opts: GeneratorOptions = {},
): Promise<CaseGenerator> {
  if ((REFERENCE_ROWS as readonly string[]).includes(model))
    return referenceRow(model as (typeof REFERENCE_ROWS)[number]);
  const generator = await openModel(model, {
    allowUntrained: opts.allowUntrained === true,
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
  });
  const { card } = generator;
  return {
    name: card.name,
    kind: 'model',
    trained: card.trained,
    info: {
      folder: card.folder,
      modelKind: card.kind,
      steps: opts.steps ?? card.sampling.steps,
      provenance: card.provenance,
    },
    async generate(c, r) {
      const { request, references } = caseRequest(c, r, opts.steps);
      const out = await generator.generate(request, { references });
      const image: Raster = toRgb({
        width: out.image.width,
        height: out.image.height,
        channels: 4,
        data: out.image.data,
      });
      return { image, seed: out.seed, ms: out.timings.totalMs };
    },
    dispose: () => generator.dispose(),
  };
}
