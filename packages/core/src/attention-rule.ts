/**
 * THE attention rule (CONTRACTS section 1): whether query token q may read key token k in a
 * CLA or ICA layer, from the two tokens' descriptors only. Every mask is derived from this.
 */
import { SEG } from './types.ts';
import type { LayerKind, TokenDescriptors } from './types.ts';

/** The four descriptors of one token. */
export interface TokenDescriptor {
  readonly seg: number;
  readonly inst: number;
  readonly cover: number;
  readonly valid: number;
}

function covers(cover: number, inst: number): boolean {
  return inst >= 0 && ((cover >>> inst) & 1) === 1;
}

function isImageContext(seg: number): boolean {
  return seg === SEG.TEXT || seg === SEG.MAIN || seg === SEG.LAYOUT;
}

/** May query `q` read key `k` in a layer of `kind`? */
export function allowed(q: TokenDescriptor, k: TokenDescriptor, kind: LayerKind): boolean {
  switch (q.seg) {
    case SEG.TEXT:
    case SEG.LAYOUT:
      return isImageContext(k.seg);
    case SEG.MAIN:
      if (isImageContext(k.seg)) return true;
      if (k.seg === SEG.PHRASE) return covers(q.cover, k.inst);
      return kind === 'ica' && k.seg === SEG.REF && k.valid === 1 && covers(q.cover, k.inst);
    case SEG.REF:
      return k.seg === SEG.TEXT || (k.seg === SEG.REF && k.inst === q.inst && k.valid === 1);
    case SEG.PHRASE:
      return k.seg === SEG.PHRASE && k.inst === q.inst;
    case SEG.PAD:
      return k.seg === SEG.PAD;
    default:
      throw new RangeError(`unknown segment id ${q.seg}`);
  }
}

/** The descriptor of token `i` of a descriptor set. */
export function descriptorAt(d: TokenDescriptors, i: number): TokenDescriptor {
  return { seg: d.seg[i]!, inst: d.inst[i]!, cover: d.cover[i]!, valid: d.valid[i]! };
}
