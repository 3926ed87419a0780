/** 32-bit integer mixing (murmur3 finaliser) for deriving per-case seeds. */
export function mix32(state: number, value: number): number {
  let h = (state ^ Math.imul(value | 0, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
