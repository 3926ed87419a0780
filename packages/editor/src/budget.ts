/**
 * The token budget of the document on a model, over the core's `requestTokenCount` (the count
 * the server refuses over-budget requests with): canvas + layout image, references, prompt
 * and phrases against the model's `maxTokens`; the default canvas a model gets, and why
 * Generate is blocked, if it is. A reference is counted from its image size (the server crops
 * to the mask first, which changes the aspect a little, never the area the grid aims at).
 */
import { maxReferenceTokens, requestTokenCount, type TokenBudgetModel } from '@contextgen/core';
import type { CanvasSize } from './geometry.ts';
import type { EditorState } from './types.ts';

/** The limits `/api/models` reports for a model (the manifest's `limits` and `tokenSize`). */
export interface ModelBudgetLimits {
  readonly tokenSize: number;
  readonly maxTokens: number;
  readonly refArea: number;
  readonly refMaxSide: number;
  readonly maxTextTokens: number;
  readonly maxPhraseTokens: number;
  readonly maxInstances: number;
  readonly minSide: number;
  readonly maxSide: number;
}

export interface TokenBudget {
  /** Main image + layout image tokens. */
  readonly canvas: number;
  readonly references: number;
  /** Prompt (with its `<bos>`) and phrases. */
  readonly text: number;
  readonly used: number;
  readonly max: number;
}

/** The core's view of the model (the tokenizer length is bounded by `maxTextTokens`). */
function budgetModel(limits: ModelBudgetLimits): TokenBudgetModel {
  const { tokenSize, ...rest } = limits;
  return { tokenSize, limits: rest, tokenizer: { maxLength: limits.maxTextTokens } };
}

export function tokenBudget(state: EditorState, limits: ModelBudgetLimits): TokenBudget {
  const assets = new Map(state.assets.map((a) => [a.id, a]));
  const c = requestTokenCount(
    {
      width: state.settings.width,
      height: state.settings.height,
      prompt: state.settings.prompt,
      instances: state.instances.map((inst) => {
        const asset = inst.assetId ? assets.get(inst.assetId) : undefined;
        return {
          phrase: inst.phrase,
          ...(asset ? { reference: { width: asset.width, height: asset.height } } : {}),
        };
      }),
    },
    budgetModel(limits),
  );
  return {
    canvas: c.image,
    references: c.references,
    text: c.text + c.phrases,
    used: c.total,
    max: c.max,
  };
}

/** "1,420 / 2,048 tokens". */
export function formatBudget(b: Pick<TokenBudget, 'used' | 'max'>): string {
  return `${b.used.toLocaleString('en-US')} / ${b.max.toLocaleString('en-US')} tokens`;
}

/**
 * The largest square side (a multiple of the token size, in the model's range) whose canvas
 * leaves room for `instances` references of the largest size, each with a full phrase, and a
 * full prompt. With `instances` = the model's maximum, any document the model accepts by count
 * fits on it.
 */
export function largestSquareSide(limits: ModelBudgetLimits, instances: number): number {
  const P = limits.tokenSize;
  const rest =
    limits.maxTokens -
    limits.maxTextTokens -
    instances * (maxReferenceTokens(budgetModel(limits)) + limits.maxPhraseTokens);
  const perAxis = Math.floor(Math.sqrt(Math.max(0, rest) / 2));
  const side = Math.min(limits.maxSide, perAxis * P);
  return Math.max(limits.minSide, side - (side % P));
}

/** The canvas a new document gets on this model. */
export function defaultCanvas(limits: ModelBudgetLimits): CanvasSize {
  const side = largestSquareSide(limits, limits.maxInstances);
  return { width: side, height: side };
}

/** A typed canvas side made valid: a multiple of the token size inside the model's range. */
export function snapCanvasSide(
  value: number,
  limits: Pick<ModelBudgetLimits, 'tokenSize' | 'minSide' | 'maxSide'>,
): number {
  const P = limits.tokenSize;
  const v = Number.isFinite(value) ? Math.round(value / P) * P : limits.minSide;
  return Math.min(limits.maxSide - (limits.maxSide % P), Math.max(limits.minSide, v));
}

/**
 * Why this document cannot be generated on the model, with the fix; undefined when it can.
 * Checked before anything is uploaded or sent.
 */
export function generateBlocker(
  state: EditorState,
  limits: ModelBudgetLimits | undefined,
): string | undefined {
  if (!limits) return 'Not connected to the server';
  const n = state.instances.length;
  if (n > limits.maxInstances)
    return `${n} boxes; this model takes at most ${limits.maxInstances}: remove ${n - limits.maxInstances}`;
  const b = tokenBudget(state, limits);
  if (b.used <= b.max) return undefined;
  const refs = state.instances.filter((i) => i.assetId !== null).length;
  const side = largestSquareSide(limits, Math.max(1, refs));
  const { width, height } = state.settings;
  const smaller =
    side < Math.max(width, height) && side >= limits.minSide
      ? `make the canvas smaller (${side}×${side} fits ${refs === 1 ? 'one reference' : `${refs} references`})`
      : 'make the canvas smaller';
  return `Too many tokens: ${formatBudget(b)} (canvas ${b.canvas}, references ${b.references}, text ${b.text}); ${smaller} or remove a reference`;
}
