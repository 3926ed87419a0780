/**
 * The token budget of the document on a model: how many tokens the request will take
 * (canvas + layout image, references, prompt and phrases; CONTRACTS 1) against the model's
 * `maxTokens`, the default canvas a model gets, and why Generate is blocked, if it is.
 * Reference grids are estimated from the image size (the server crops to the mask first,
 * which changes the aspect a little, never the area the grid aims at).
 */
import { refGrid, words } from '@contextgen/core';
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

/** Tokens of one text: `<bos>` plus one per word, cut at `max`; an empty phrase takes none. */
function textTokens(text: string, max: number, always: boolean): number {
  const n = words(text).length;
  if (n === 0 && !always) return 0;
  return Math.min(1 + n, max);
}

/** Tokens of a reference image of this size. */
export function referenceTokens(width: number, height: number, limits: ModelBudgetLimits): number {
  const g = refGrid(Math.max(1, width), Math.max(1, height), limits);
  return g.h * g.w;
}

export function canvasTokens(canvas: CanvasSize, tokenSize: number): number {
  return 2 * Math.ceil(canvas.width / tokenSize) * Math.ceil(canvas.height / tokenSize);
}

export function tokenBudget(state: EditorState, limits: ModelBudgetLimits): TokenBudget {
  const assets = new Map(state.assets.map((a) => [a.id, a]));
  const canvas = canvasTokens(state.settings, limits.tokenSize);
  let references = 0;
  let text = textTokens(state.settings.prompt, limits.maxTextTokens, true);
  for (const inst of state.instances) {
    const asset = inst.assetId ? assets.get(inst.assetId) : undefined;
    if (asset) references += referenceTokens(asset.width, asset.height, limits);
    text += textTokens(inst.phrase, limits.maxPhraseTokens, false);
  }
  return { canvas, references, text, used: canvas + references + text, max: limits.maxTokens };
}

/** "1,420 / 2,048 tokens". */
export function formatBudget(b: Pick<TokenBudget, 'used' | 'max'>): string {
  return `${b.used.toLocaleString('en-US')} / ${b.max.toLocaleString('en-US')} tokens`;
}

/** The most tokens a reference can take (its grid is at most refMaxSide/P a side). */
function worstReferenceTokens(limits: ModelBudgetLimits): number {
  const side = Math.floor(limits.refMaxSide / limits.tokenSize);
  return side * side;
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
    instances * (worstReferenceTokens(limits) + limits.maxPhraseTokens);
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
