/**
 * The generation pipeline over an `Executor`: validate, compose the layout, prepare the
 * references, tokenize, plan tokens, build the denoiser inputs, sample, unpatchify.
 * Images arrive decoded from the caller; the core never touches files.
 */
import type { DenoiserInputs, Executor, Float32Tensor, Int64Tensor } from './executor.ts';
import { resizeImage } from './image-ops.ts';
import { composeLayout, layoutToModelSpace } from './layout.ts';
import type { ModelManifest } from './manifest.ts';
import { randomSeed, gaussianNoise } from './noise.ts';
import { modelSpaceToImage, patchify, unpatchify } from './patchify.ts';
import { prepareReference } from './reference.ts';
import type { PreparedReference, ReferenceSizing } from './reference.ts';
import { RequestError, requestLimits, validateRequest } from './request.ts';
import type { GenerationRequest, ValidRequest } from './request.ts';
import { sample } from './sampler.ts';
import type { Branch, SamplerProgress } from './sampler.ts';
import { timesteps } from './schedule.ts';
import { planTokens } from './token-plan.ts';
import type { TokenPlan } from './token-plan.ts';
import { createTokenizer, words } from './tokenizer.ts';
import type { CancelSignal, LayoutInstance, ReferenceCutout, RgbaImage } from './types.ts';

/** Decoded images for a request, in request order. */
export interface RequestImages {
  /** One entry per `request.instances`: the decoded reference cutout, or undefined for none. */
  readonly references: readonly (ReferenceCutout | undefined)[];
  /** The decoded `request.layoutImage`, when the request has one. */
  readonly layout?: RgbaImage;
}

/** Everything computed before the model runs; also what `contextgen debug tokens` shows. */
export interface PreparedGeneration {
  readonly request: ValidRequest;
  readonly seed: number;
  readonly warnings: string[];
  /** The layout image actually used (composed, or the user's resized to the canvas). */
  readonly layout: RgbaImage;
  /** Per instance: the prepared reference, or null for none. */
  readonly references: readonly (PreparedReference | null)[];
  readonly promptIds: number[];
  /** Per instance: phrase ids (empty = no phrase). */
  readonly phraseIds: number[][];
  /** Ids of the unconditional prompt (negative prompt or `[<bos>]`). */
  readonly uncondIds: number[];
  readonly plan: TokenPlan;
  readonly composeMs: number;
  readonly planMs: number;
}

export interface GenerateOptions {
  /** The model's `vocab.json` tokens. */
  readonly vocab: readonly string[];
  readonly signal?: CancelSignal;
  readonly onProgress?: (p: SamplerProgress) => void;
  /** Include the latent in progress reports (turn it into a preview with `latentToImage`). */
  readonly reportLatent?: boolean;
}

export interface GenerationResult {
  readonly image: RgbaImage;
  readonly seed: number;
  readonly timings: { composeMs: number; planMs: number; modelMs: number; totalMs: number };
  readonly warnings: string[];
  readonly layout: RgbaImage;
  /** Token count of the conditional sequence (text + image). */
  readonly tokens: number;
}

function now(): number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? perf.now() : Date.now();
}

function encodeWithWarning(
  tok: ReturnType<typeof createTokenizer>,
  text: string,
  maxLength: number,
  field: string,
  warnings: string[],
): number[] {
  const n = words(text).length;
  if (n + 1 > maxLength)
    warnings.push(`${field} has ${n} words; this model reads only the first ${maxLength - 1}`);
  return tok.encode(text, maxLength);
}

/** The request's instances as layout composition sees them, with their decoded references. */
export function layoutInstances(
  request: GenerationRequest,
  references: RequestImages['references'],
): LayoutInstance[] {
  return request.instances.map((inst, j) => {
    const reference = references[j];
    return {
      box: inst.box,
      ...(reference ? { reference } : {}),
      ...(inst.resize ? { resize: inst.resize } : {}),
      ...(inst.z !== undefined ? { z: inst.z } : {}),
    };
  });
}

/** Throws RequestError unless `images` holds one decoded entry per instance that names a reference. */
export function checkRequestImages(request: GenerationRequest, images: RequestImages): void {
  if (images.references.length !== request.instances.length) {
    throw new RequestError(
      'instances',
      `${request.instances.length} instances but ${images.references.length} decoded references were passed (internal: pass one entry per instance)`,
    );
  }
  request.instances.forEach((inst, j) => {
    if (inst.reference !== undefined && images.references[j] === undefined) {
      throw new RequestError(
        `instances[${j}].reference`,
        `"${inst.reference}" was not decoded; check that the file exists and is a PNG/JPEG/WebP image`,
      );
    }
  });
}

/**
 * Each instance's reference prepared by the model's sizing rule, null for none.
 * @throws RequestError for a reference whose mask is empty
 */
export function prepareReferences(
  images: RequestImages,
  sizing: ReferenceSizing,
  canvas: { width: number; height: number },
): (PreparedReference | null)[] {
  return images.references.map((ref, j) => {
    if (ref === undefined) return null;
    const prepared = prepareReference(ref, sizing, canvas);
    if (prepared === null) {
      throw new RequestError(
        `instances[${j}].reference`,
        'the cutout mask is empty (no subject pixel); use an RGBA image with a visible subject, or a mask that marks the subject',
      );
    }
    return prepared;
  });
}

/**
 * The layout image a request uses: the user's (resized to the canvas, with a warning) or the
 * one composed from the instances and their references.
 */
export function requestLayout(
  request: GenerationRequest,
  images: RequestImages,
  warnings: string[],
): RgbaImage {
  const { width, height } = request;
  if (images.layout === undefined)
    return composeLayout(width, height, layoutInstances(request, images.references));
  const layout = images.layout;
  if (layout.width === width && layout.height === height) return layout;
  warnings.push(
    `layoutImage is ${layout.width}x${layout.height}; resized to the ${width}x${height} canvas`,
  );
  return resizeImage(layout, width, height);
}

/**
 * Validate and prepare a request without running the model: layout, references, token ids and
 * the token plan. Throws RequestError for bad input.
 */
export function prepareGeneration(
  input: GenerationRequest,
  images: RequestImages,
  manifest: ModelManifest,
  vocab: readonly string[],
): PreparedGeneration {
  const t0 = now();
  const { request, warnings } = validateRequest(input, requestLimits(manifest));
  const P = manifest.tokenSize;
  const { width, height } = request;
  checkRequestImages(request, images);

  const layout = requestLayout(request, images, warnings);
  const refLimits = {
    tokenSize: P,
    refArea: manifest.limits.refArea,
    refMaxSide: manifest.limits.refMaxSide,
  };
  const references = prepareReferences(images, refLimits, request);
  const t1 = now();

  const tok = createTokenizer(vocab);
  const maxText = Math.min(manifest.tokenizer.maxLength, manifest.limits.maxTextTokens);
  const promptIds = encodeWithWarning(tok, request.prompt, maxText, 'prompt', warnings);
  const phraseIds = request.instances.map((inst, j) =>
    inst.phrase === undefined || words(inst.phrase).length === 0
      ? []
      : encodeWithWarning(
          tok,
          inst.phrase,
          manifest.limits.maxPhraseTokens,
          `instances[${j}].phrase`,
          warnings,
        ),
  );
  const uncondIds = tok.encode(request.negativePrompt ?? '', maxText);
  const plan = planTokens({
    width,
    height,
    tokenSize: P,
    textTokens: promptIds.length,
    phraseTokens: phraseIds.map((ids) => ids.length),
    boxes: request.instances.map((i) => i.box),
    refGrids: references.map((r) => (r ? r.grid : null)),
  });
  if (plan.length > manifest.limits.maxTokens) {
    throw new RequestError(
      'width',
      `the request needs ${plan.length} tokens (${plan.mainGrid.h * plan.mainGrid.w * 2} image + layout, ${plan.imageLength - plan.mainGrid.h * plan.mainGrid.w * 2} reference, ${plan.textLength} text) but this model handles at most ${manifest.limits.maxTokens}; use a smaller canvas or fewer references`,
    );
  }
  const seed = request.seed ?? randomSeed();
  return {
    request,
    seed,
    warnings,
    layout,
    references,
    promptIds,
    phraseIds,
    uncondIds,
    plan,
    composeMs: t1 - t0,
    planMs: now() - t1,
  };
}

function int64(values: ArrayLike<number>, dims: number[]): Int64Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return { data, dims };
}

/** Encode token-id lists one by one and concatenate the embeddings along the token axis. */
async function encodeTexts(executor: Executor, pieces: number[][]): Promise<Float32Tensor> {
  const parts: Float32Tensor[] = [];
  for (const ids of pieces) {
    if (ids.length === 0) continue;
    parts.push(
      await executor.encodeText(
        BigInt64Array.from(ids, (v) => BigInt(v)),
        1,
        ids.length,
      ),
    );
  }
  const dt = parts[0]!.dims[2]!;
  const total = parts.reduce((n, p) => n + p.dims[1]!, 0);
  const data = new Float32Array(total * dt);
  let offset = 0;
  for (const p of parts) {
    data.set(p.data.subarray(0, p.dims[1]! * dt), offset);
    offset += p.dims[1]! * dt;
  }
  return { data, dims: [1, total, dt] };
}

/**
 * Static denoiser inputs for one plan: context rows (layout, refs) filled, main rows left for
 * the latent. `setStep` writes the latent and t in place.
 */
function buildInputs(
  plan: TokenPlan,
  txt: Float32Tensor,
  layoutPatches: Float32Array,
  refs: readonly (PreparedReference | null)[],
  P: number,
): DenoiserInputs {
  const D = P * P * 3;
  const nMain = plan.mainGrid.h * plan.mainGrid.w;
  const img = new Float32Array(plan.imageLength * D);
  img.set(layoutPatches, nMain * D);
  let row = 2 * nMain;
  for (const r of refs) {
    if (r === null) continue;
    const patches = patchify(r.pixels, r.grid.w * P, r.grid.h * P, P);
    img.set(patches, row * D);
    row += r.grid.h * r.grid.w;
  }
  const N = plan.length;
  const d = plan.descriptors;
  return {
    txt,
    img: { data: img, dims: [1, plan.imageLength, D] },
    pos: int64(plan.pos, [1, N, 3]),
    seg: int64(d.seg, [1, N]),
    inst: int64(d.inst, [1, N]),
    cover: int64(d.cover, [1, N]),
    valid: int64(d.valid, [1, N]),
    t: { data: new Float32Array(1), dims: [1] },
  };
}

/** A progress latent (patch layout, model space) as a viewable image. */
export function latentToImage(
  latent: Float32Array,
  width: number,
  height: number,
  tokenSize: number,
): RgbaImage {
  return modelSpaceToImage(unpatchify(latent, width, height, tokenSize), width, height);
}

/** Generate one image. Throws RequestError for bad input and CancelledError when aborted. */
export async function generate(
  input: GenerationRequest,
  images: RequestImages,
  executor: Executor,
  options: GenerateOptions,
): Promise<GenerationResult> {
  const start = now();
  const manifest = executor.manifest;
  const prep = prepareGeneration(input, images, manifest, options.vocab);
  const { request, plan } = prep;
  const P = manifest.tokenSize;
  const nMain = plan.mainGrid.h * plan.mainGrid.w;
  const D = P * P * 3;
  const layoutPatches = patchify(layoutToModelSpace(prep.layout), request.width, request.height, P);

  const t0 = now();
  const condTxt = await encodeTexts(executor, [prep.promptIds, ...prep.phraseIds]);
  const cond = buildInputs(plan, condTxt, layoutPatches, prep.references, P);
  let uncond: DenoiserInputs | null = null;
  if (request.guidance !== 1) {
    const uncondPlan = planTokens({
      width: request.width,
      height: request.height,
      tokenSize: P,
      textTokens: prep.uncondIds.length,
      phraseTokens: request.instances.map(() => 0),
      boxes: request.instances.map((i) => i.box),
      refGrids: prep.references.map((r) => (r ? r.grid : null)),
    });
    uncond = buildInputs(
      uncondPlan,
      await encodeTexts(executor, [prep.uncondIds]),
      layoutPatches,
      prep.references,
      P,
    );
  }

  const predict = async (x: Float32Array, t: number, branch: Branch): Promise<Float32Array> => {
    const inputs = branch === 'cond' ? cond : uncond!;
    inputs.img.data.set(x, 0);
    inputs.t.data[0] = t;
    const out = await executor.denoise(inputs);
    if (out.data.length < nMain * D) {
      throw new Error(
        `denoiser returned ${out.data.length} values (dims ${out.dims.join('x')}); expected at least ${nMain * D} for ${nMain} main tokens of ${D}`,
      );
    }
    return out.data.slice(0, nMain * D);
  };
  const latent = await sample({
    noise: gaussianNoise(prep.seed, nMain * D),
    timesteps: timesteps(request.steps, nMain, manifest.sampling.shift),
    guidance: request.guidance,
    predict,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.reportLatent ? { reportLatent: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const modelMs = now() - t0;
  const image = latentToImage(latent, request.width, request.height, P);
  return {
    image,
    seed: prep.seed,
    timings: { composeMs: prep.composeMs, planMs: prep.planMs, modelMs, totalMs: now() - start },
    warnings: prep.warnings,
    layout: prep.layout,
    tokens: plan.length,
  };
}
