/**
 * Dense N x N attention masks built from the descriptor rule, for debugging, visualisation and
 * executors that need an explicit mask. Row q, column k is 1 when q may read k.
 */
import { allowed, descriptorAt } from './attention-rule.ts';
import type { LayerKind, TokenDescriptors } from './types.ts';

/** Row-major `N*N` 0/1 mask of one layer kind. */
export function denseMask(d: TokenDescriptors, kind: LayerKind): Uint8Array {
  const n = d.seg.length;
  const all = Array.from({ length: n }, (_, i) => descriptorAt(d, i));
  const out = new Uint8Array(n * n);
  for (let q = 0; q < n; q++) {
    const dq = all[q]!;
    for (let k = 0; k < n; k++) out[q * n + k] = allowed(dq, all[k]!, kind) ? 1 : 0;
  }
  return out;
}

/** One `'0'/'1'` string per row (the golden-vector encoding, CONTRACTS 2). */
export function maskRows(mask: Uint8Array, n: number): string[] {
  const rows: string[] = [];
  for (let q = 0; q < n; q++) rows.push(Array.from(mask.subarray(q * n, (q + 1) * n)).join(''));
  return rows;
}
