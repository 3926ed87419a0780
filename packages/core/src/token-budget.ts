/**
 * The token budget of a request, computed before anything is decoded or run: the same counts
 * `prepareGeneration` plans (text with `<bos>`, phrases, main + layout grid, one grid per
 * reference), from the request's text, canvas and each reference's crop size. Pure: the server
 * refuses over-budget requests at submit with it, and an editor can show it live.
 */
import type { ModelManifest } from './manifest.ts';
import { refGrid, type RefGridLimits } from './reference.ts';
import { words } from './tokenizer.ts';

/** The manifest fields the budget depends on. */
export type TokenBudgetModel = Pick<ModelManifest, 'tokenSize' | 'limits'> & {
  readonly tokenizer: Pick<ModelManifest['tokenizer'], 'maxLength'>;
};

/** A reference as the budget sees it: the size of its mask's bounding box, or unknown. */
export type ReferenceSize = { readonly width: number; readonly height: number } | 'unknown';

export interface TokenBudgetInput {
  readonly width: number;
  readonly height: number;
  readonly prompt: string;
  readonly instances: readonly {
    readonly phrase?: string;
    /** Absent: no reference. 'unknown': a reference whose crop is not known yet (upper bound). */
    readonly reference?: ReferenceSize;
  }[];
}

export interface TokenCount {
  /** Prompt tokens including `<bos>` (clipped to the model's text limit). */
  readonly text: number;
  /** Phrase tokens over all instances. */
  readonly phrases: number;
  /** Main grid + layout grid (twice the canvas in tokens). */
  readonly image: number;
  /** Reference grids over all instances. */
  readonly references: number;
  readonly total: number;
  /** The model's `limits.maxTokens`. */
  readonly max: number;
  readonly fits: boolean;
  /** True when some reference size was unknown and its largest possible grid was counted. */
  readonly upperBound: boolean;
}

function snap(side: number, P: number): number {
  return Math.max(P, Math.round(side / P) * P);
}

function refLimits(model: TokenBudgetModel): RefGridLimits {
  return {
    tokenSize: model.tokenSize,
    refArea: model.limits.refArea,
    refMaxSide: model.limits.refMaxSide,
  };
}

/** Prompt tokens the pipeline encodes: `<bos>` + words, clipped to the model's text length. */
export function promptTokenCount(prompt: string, model: TokenBudgetModel): number {
  const maxText = Math.min(model.tokenizer.maxLength, model.limits.maxTextTokens);
  return Math.min(1 + words(prompt).length, maxText);
}

/** Phrase tokens: 0 without words, else `<bos>` + words clipped to `maxPhraseTokens`. */
export function phraseTokenCount(phrase: string | undefined, model: TokenBudgetModel): number {
  const n = phrase === undefined ? 0 : words(phrase).length;
  return n === 0 ? 0 : Math.min(1 + n, model.limits.maxPhraseTokens);
}

const maxRefCache = new WeakMap<object, number>();

/**
 * The most tokens one reference can take under this model, over every crop aspect: the grid
 * `refGrid` picks for each aspect between 1:maxSide and maxSide:1 (sampled finely, plus every
 * exact grid ratio).
 */
export function maxReferenceTokens(model: TokenBudgetModel): number {
  const cached = maxRefCache.get(model.limits);
  if (cached !== undefined) return cached;
  const limits = refLimits(model);
  const side = Math.max(1, Math.floor(limits.refMaxSide / limits.tokenSize));
  const aspects = new Set<number>();
  for (let h = 1; h <= side; h++) for (let w = 1; w <= side; w++) aspects.add(h / w);
  const lo = Math.log(1 / (2 * side));
  for (let k = 0; k <= 2000; k++) aspects.add(Math.exp(lo + (-2 * lo * k) / 2000));
  let best = 1;
  for (const a of aspects) {
    const g = refGrid(1000, 1000 * a, limits);
    best = Math.max(best, g.h * g.w);
  }
  maxRefCache.set(model.limits, best);
  return best;
}

/** Tokens of one reference with a known crop (mask bounding box) size. */
export function referenceTokenCount(size: ReferenceSize, model: TokenBudgetModel): number {
  if (size === 'unknown') return maxReferenceTokens(model);
  const g = refGrid(Math.max(1, size.width), Math.max(1, size.height), refLimits(model));
  return g.h * g.w;
}

/**
 * The sequence length the pipeline will plan for this request (canvas rounded to the token
 * size as validation rounds it), and whether it fits the model's `maxTokens`.
 */
export function requestTokenCount(input: TokenBudgetInput, model: TokenBudgetModel): TokenCount {
  const P = model.tokenSize;
  const text = promptTokenCount(input.prompt, model);
  let phrases = 0;
  let references = 0;
  let upperBound = false;
  for (const inst of input.instances) {
    phrases += phraseTokenCount(inst.phrase, model);
    if (inst.reference !== undefined) {
      references += referenceTokenCount(inst.reference, model);
      if (inst.reference === 'unknown') upperBound = true;
    }
  }
  const image = 2 * (snap(input.width, P) / P) * (snap(input.height, P) / P);
  const total = text + phrases + image + references;
  const max = model.limits.maxTokens;
  return { text, phrases, image, references, total, max, fits: total <= max, upperBound };
}

/** One line for the user: the count, its parts, the limit and the fix. */
export function describeTokenCount(c: TokenCount): string {
  return (
    `the request needs ${c.total} tokens (${c.image} image + layout, ${c.references} reference, ${c.text + c.phrases} text) ` +
    `but this model handles at most ${c.max}; use a smaller canvas, fewer or smaller references, or a shorter prompt`
  );
}

/**
 * The canvas limits a model can actually run: the largest side and the largest canvas (in
 * tokens of the main grid) that fit `maxTokens` with the shortest prompt (`<bos>` only), no
 * phrase and no reference. A published limit must be one of these, never more.
 */
export function runnableCanvas(model: TokenBudgetModel): {
  readonly maxSide: number;
  /** Largest width*height/P² (main tokens) that fits. */
  readonly maxCanvasTokens: number;
  /** Largest square side that fits. */
  readonly maxSquareSide: number;
} {
  const P = model.tokenSize;
  const { minSide, maxSide, maxTokens } = model.limits;
  const maxCanvasTokens = Math.floor((maxTokens - 1) / 2);
  const minTokens = minSide / P;
  const side = Math.min(maxSide / P, Math.floor(maxCanvasTokens / minTokens));
  const square = Math.min(maxSide / P, Math.floor(Math.sqrt(maxCanvasTokens)));
  return {
    maxSide: Math.max(0, side * P),
    maxCanvasTokens,
    maxSquareSide: Math.max(0, square * P),
  };
}
