/**
 * Everything TypeScript decides for a FLUX job before the worker runs (it stays authoritative):
 * the validated request, the layout image, the references sized by the model's rule, and the
 * token plan (descriptors + position ids). The sequence rules come from the card, not from
 * branches here.
 */
import {
  checkRequestImages,
  planTokens,
  prepareReferences,
  randomSeed,
  requestLayout,
  RequestError,
  validateForCard,
  type GenerationRequest,
  type PreparedReference,
  type RequestImages,
  type RgbaImage,
  type TokenPlan,
  type ValidRequest,
} from '@contextgen/core';
import type { FluxCard } from './card.ts';
import { JOB_FORMAT, jobPlan, type JobJson } from './job-files.ts';

export interface FluxJobPlan {
  readonly request: ValidRequest;
  readonly warnings: string[];
  readonly layout: RgbaImage;
  /** Prepared references in plan order (instances without one are skipped). */
  readonly references: PreparedReference[];
  readonly plan: TokenPlan;
  readonly job: JobJson;
}

/**
 * Validate and plan one job for a flux card.
 * @param previewEvery 0 = no previews, k = one every k steps and at the last
 * @throws RequestError naming the field and the fix
 */
export function planFluxJob(
  card: FluxCard,
  input: GenerationRequest,
  images: RequestImages,
  previewEvery = 0,
): FluxJobPlan {
  const { request, warnings } = validateForCard(card, input);
  checkRequestImages(request, images);
  const layout = requestLayout(request, images, warnings);
  const prepared = prepareReferences(images, card.flux.references, request);
  const phrased = request.instances.filter((i) => i.phrase !== undefined && i.phrase !== '');
  if (phrased.length > 0) {
    warnings.push(
      `model "${card.name}" reads only the prompt; the instances' phrases are not used (name the subjects in the prompt instead)`,
    );
  }
  const plan = planTokens({
    width: request.width,
    height: request.height,
    tokenSize: card.tokenSize,
    textTokens: card.flux.textTokens,
    phraseTokens: request.instances.map(() => 0),
    boxes: request.instances.map((i) => i.box),
    refGrids: prepared.map((r) => (r ? r.grid : null)),
  });
  if (plan.length > card.limits.maxTokens) {
    const image = plan.mainGrid.h * plan.mainGrid.w * 2;
    throw new RequestError(
      'width',
      `the request needs ${plan.length} tokens (${image} image + layout, ${plan.imageLength - image} reference, ${plan.textLength} text) but model "${card.name}" handles at most ${card.limits.maxTokens}; use a smaller canvas or fewer references`,
    );
  }
  const references = prepared.filter((r): r is PreparedReference => r !== null);
  const job: JobJson = {
    format: JOB_FORMAT,
    prompt: request.prompt,
    width: request.width,
    height: request.height,
    seed: request.seed ?? randomSeed(),
    steps: request.steps,
    guidance: request.guidance,
    previewEvery,
    references: references.length,
    plan: jobPlan(plan, card.tokenSize),
  };
  return { request, warnings, layout, references, plan, job };
}
