/** The data behind `contextgen debug tokens`: segments, position ids and both dense masks. */
import { denseMask } from './dense-mask.ts';
import type { TokenPlan } from './token-plan.ts';
import type { TokenSegment } from './types.ts';

export interface TokenDebug {
  readonly segments: readonly TokenSegment[];
  /** One `[axis0, y, x]` per token. */
  readonly pos: number[][];
  readonly seg: number[];
  readonly inst: number[];
  readonly cover: number[];
  readonly valid: number[];
  /** Dense masks, one 0/1 row per query token. */
  readonly cla: number[][];
  readonly ica: number[][];
}

function rows(mask: Uint8Array, n: number): number[][] {
  return Array.from({ length: n }, (_, q) => Array.from(mask.subarray(q * n, (q + 1) * n)));
}

export function debugTokens(plan: TokenPlan): TokenDebug {
  const n = plan.length;
  const d = plan.descriptors;
  return {
    segments: plan.segments,
    pos: Array.from({ length: n }, (_, i) => [
      plan.pos[i * 3]!,
      plan.pos[i * 3 + 1]!,
      plan.pos[i * 3 + 2]!,
    ]),
    seg: Array.from(d.seg),
    inst: Array.from(d.inst),
    cover: Array.from(d.cover),
    valid: Array.from(d.valid),
    cla: rows(denseMask(d, 'cla'), n),
    ica: rows(denseMask(d, 'ica'), n),
  };
}
