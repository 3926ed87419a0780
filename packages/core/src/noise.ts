/**
 * Seeded noise with identical bits in every JavaScript engine (DESIGN 5).
 *
 * - Integers: xoshiro128** on 32-bit integer math (`Math.imul`, shifts), seeded by splitmix32.
 * - Uniforms: 53-bit doubles from two 32-bit draws (exact).
 * - Gaussians: Marsaglia's polar method, which needs only + - * / sqrt and a logarithm; the
 *   logarithm is computed here from those operations alone (range reduction by exact powers of
 *   two plus an atanh series), because `Math.log` may differ in the last bit between engines.
 *   IEEE-754 makes + - * / and sqrt correctly rounded, so the bits are the same everywhere.
 */

/** A seeded 32-bit generator. */
export interface Rng {
  /** Next integer in [0, 2^32). */
  nextUint32(): number;
  /** Next double in [0, 1) with 53 random bits. */
  nextFloat(): number;
}

function splitmix32(state: { a: number }): number {
  state.a = (state.a + 0x9e3779b9) | 0;
  let t = state.a ^ (state.a >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  t ^= t >>> 15;
  return t >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** xoshiro128** seeded from a 32-bit seed through splitmix32. */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in 0..4294967295, got ${seed}`);
  }
  const sm = { a: seed | 0 };
  return createRngFromState([splitmix32(sm), splitmix32(sm), splitmix32(sm), splitmix32(sm)]);
}

/** xoshiro128** from an explicit 128-bit state (not all zero). */
export function createRngFromState(state: readonly [number, number, number, number]): Rng {
  let [s0, s1, s2, s3] = state.map((v) => v | 0) as [number, number, number, number];
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  return {
    nextUint32,
    nextFloat(): number {
      const hi = nextUint32() >>> 5; // 27 bits
      const lo = nextUint32() >>> 6; // 26 bits
      return (hi * 67108864 + lo) / 9007199254740992;
    },
  };
}

const SQRT_HALF = 0.7071067811865476;
const SQRT_TWO = 1.4142135623730951;
const LN2 = 0.6931471805599453;

/**
 * Natural logarithm of a positive finite number using only + - * /: `x = m * 2^e` with
 * m in [sqrt(1/2), sqrt(2)), `ln m = 2 atanh((m-1)/(m+1))` by its series (|s| < 0.172, 15 terms
 * reach double precision).
 */
export function portableLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x))
    throw new RangeError(`portableLog needs a positive finite number, got ${x}`);
  let m = x;
  let e = 0;
  while (m < SQRT_HALF) {
    m *= 2;
    e -= 1;
  }
  while (m >= SQRT_TWO) {
    m /= 2;
    e += 1;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let term = s;
  let sum = s;
  for (let k = 3; k <= 31; k += 2) {
    term *= s2;
    sum += term / k;
  }
  return 2 * sum + e * LN2;
}

/** `n` standard-normal samples as float32, bit-identical across engines for a given seed. */
export function gaussianNoise(seed: number, n: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  let i = 0;
  while (i < n) {
    const u = 2 * rng.nextFloat() - 1;
    const v = 2 * rng.nextFloat() - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const f = Math.sqrt((-2 * portableLog(s)) / s);
    out[i++] = u * f;
    if (i < n) out[i++] = v * f;
  }
  return out;
}

/** A fresh seed in 0..2^32-1 for requests that give none (crypto when available). */
export function randomSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues(a: Uint32Array): Uint32Array } }).crypto;
  if (c !== undefined) return c.getRandomValues(new Uint32Array(1))[0]!;
  return Math.floor(Math.random() * 0x100000000);
}
