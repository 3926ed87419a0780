/**
 * The token plan (DESIGN 3, CONTRACTS section 1): segments in sequence order, per-token
 * descriptors and 3-axis position ids, computed at token level from boxes and reference grids.
 */
import { SEG } from './types.ts';
import type { PixelBox, RefGrid, TokenDescriptors, TokenGrid, TokenSegment } from './types.ts';

export const MAX_PLAN_INSTANCES = 30;

/** Token-level input of a plan; exactly the `input` object of a golden vector (CONTRACTS 2). */
export interface PlanInput {
  readonly width: number;
  readonly height: number;
  readonly tokenSize: number;
  /** Prompt token count (including `<bos>`), at least 1. */
  readonly textTokens: number;
  /** Per instance; 0 = no phrase. */
  readonly phraseTokens: readonly number[];
  readonly boxes: readonly PixelBox[];
  /** Per instance; null = no reference. */
  readonly refGrids: readonly (RefGrid | null)[];
}

export interface TokenPlan {
  readonly segments: readonly TokenSegment[];
  readonly descriptors: TokenDescriptors;
  /** `N*3` position ids `[axis0, y, x]` per token. */
  readonly pos: Int32Array;
  readonly mainGrid: TokenGrid;
  readonly refGrids: readonly (RefGrid | null)[];
  /** Total tokens N. */
  readonly length: number;
  /** Text tokens (prompt + phrases), i.e. the rows of the denoiser's `txt` input. */
  readonly textLength: number;
  /** Image tokens (main + layout + refs), i.e. the rows of `img`. */
  readonly imageLength: number;
}

/** Main-grid token ranges `[tx0, tx1) x [ty0, ty1)` a pixel box covers (CONTRACTS 1). */
export function boxTokenRange(
  box: PixelBox,
  tokenSize: number,
  grid: TokenGrid,
): { tx0: number; tx1: number; ty0: number; ty1: number } {
  return {
    tx0: Math.max(0, Math.floor(box[0] / tokenSize)),
    tx1: Math.min(grid.w, Math.ceil(box[2] / tokenSize)),
    ty0: Math.max(0, Math.floor(box[1] / tokenSize)),
    ty1: Math.min(grid.h, Math.ceil(box[3] / tokenSize)),
  };
}

function checkInput(input: PlanInput): void {
  const { width, height, tokenSize, textTokens, phraseTokens, boxes, refGrids } = input;
  if (!Number.isInteger(tokenSize) || tokenSize < 1)
    throw new RangeError(`tokenSize must be a positive integer, got ${tokenSize}`);
  if (
    width % tokenSize !== 0 ||
    height % tokenSize !== 0 ||
    width < tokenSize ||
    height < tokenSize
  ) {
    throw new RangeError(
      `canvas ${width}x${height} must be positive multiples of the token size ${tokenSize}`,
    );
  }
  if (!Number.isInteger(textTokens) || textTokens < 1)
    throw new RangeError(`textTokens must be >= 1 (the <bos> token), got ${textTokens}`);
  if (phraseTokens.length !== boxes.length || refGrids.length !== boxes.length) {
    throw new RangeError(
      `phraseTokens (${phraseTokens.length}), boxes (${boxes.length}) and refGrids (${refGrids.length}) must have one entry per instance`,
    );
  }
  if (boxes.length > MAX_PLAN_INSTANCES)
    throw new RangeError(
      `a plan holds at most ${MAX_PLAN_INSTANCES} instances, got ${boxes.length}`,
    );
  phraseTokens.forEach((n, j) => {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`phraseTokens[${j}] must be a non-negative integer, got ${n}`);
  });
  refGrids.forEach((g, j) => {
    if (g === null) return;
    if (
      !Number.isInteger(g.h) ||
      !Number.isInteger(g.w) ||
      g.h < 1 ||
      g.w < 1 ||
      g.valid.length !== g.h * g.w
    ) {
      throw new RangeError(`refGrids[${j}] must have positive integer h, w and h*w valid flags`);
    }
  });
}

/** Build the token plan. Throws RangeError on inconsistent input (a programming error, not a user one). */
export function planTokens(input: PlanInput): TokenPlan {
  checkInput(input);
  const { tokenSize: P, phraseTokens, boxes, refGrids } = input;
  const mainGrid: TokenGrid = { h: input.height / P, w: input.width / P };
  const nMain = mainGrid.h * mainGrid.w;

  const segments: TokenSegment[] = [];
  let cursor = 0;
  const push = (name: string, seg: TokenSegment['seg'], length: number, instance: number): void => {
    segments.push({ name, seg, start: cursor, length, instance });
    cursor += length;
  };
  push('text', SEG.TEXT, input.textTokens, -1);
  phraseTokens.forEach((n, j) => {
    if (n > 0) push(`phrase_${j}`, SEG.PHRASE, n, j);
  });
  const textLength = cursor;
  push('main', SEG.MAIN, nMain, -1);
  push('layout', SEG.LAYOUT, nMain, -1);
  refGrids.forEach((g, j) => {
    if (g !== null) push(`ref_${j}`, SEG.REF, g.h * g.w, j);
  });
  const n = cursor;

  const seg = new Int32Array(n);
  const inst = new Int32Array(n).fill(-1);
  const cover = new Int32Array(n);
  const valid = new Int32Array(n).fill(1);
  const pos = new Int32Array(n * 3);

  // Reference offsets: diagonal, X0 = Wm, Y0 = Hm.
  let offX = mainGrid.w;
  let offY = mainGrid.h;
  for (const s of segments) {
    seg.fill(s.seg, s.start, s.start + s.length);
    if (s.seg === SEG.PHRASE || s.seg === SEG.REF)
      inst.fill(s.instance, s.start, s.start + s.length);
    if (s.seg === SEG.MAIN || s.seg === SEG.LAYOUT) {
      const axis0 = s.seg === SEG.MAIN ? 0 : 1;
      for (let i = 0; i < nMain; i++) {
        const p = (s.start + i) * 3;
        pos[p] = axis0;
        pos[p + 1] = Math.floor(i / mainGrid.w);
        pos[p + 2] = i % mainGrid.w;
      }
    } else if (s.seg === SEG.REF) {
      const g = refGrids[s.instance]!;
      for (let i = 0; i < s.length; i++) {
        const p = (s.start + i) * 3;
        pos[p] = 1;
        pos[p + 1] = offY + Math.floor(i / g.w);
        pos[p + 2] = offX + (i % g.w);
        valid[s.start + i] = g.valid[i] ? 1 : 0;
      }
      offX += g.w;
      offY += g.h;
    }
  }

  const main = segments.find((s) => s.seg === SEG.MAIN)!;
  boxes.forEach((box, j) => {
    const r = boxTokenRange(box, P, mainGrid);
    for (let ty = r.ty0; ty < r.ty1; ty++) {
      for (let tx = r.tx0; tx < r.tx1; tx++) cover[main.start + ty * mainGrid.w + tx]! |= 1 << j;
    }
  });

  return {
    segments,
    descriptors: { seg, inst, cover, valid },
    pos,
    mainGrid,
    refGrids,
    length: n,
    textLength,
    imageLength: n - textLength,
  };
}
