"""Seeded noise bit-identical to `packages/core/src/noise.ts` (DESIGN 5), so the Python sampler and
`contextgen generate` start from the same latent for the same seed.

- Integers: xoshiro128** on 32-bit unsigned math, seeded by splitmix32.
- Uniforms: 53-bit doubles from two 32-bit draws (exact).
- Gaussians: Marsaglia's polar method with a logarithm built from + - * / only (range reduction by
  exact powers of two plus an atanh series), as the TypeScript side does. Python floats are IEEE-754
  doubles and + - * / sqrt are correctly rounded, so every value matches the engine's bit for bit;
  the float32 rounding at the end is numpy's round-to-nearest, like `Float32Array`.
"""

from __future__ import annotations

import math

import numpy as np

M32 = 0xFFFFFFFF
SQRT_HALF = 0.7071067811865476
SQRT_TWO = 1.4142135623730951
LN2 = 0.6931471805599453


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & M32


class Rng:
    """xoshiro128** from a 32-bit seed through splitmix32 (`createRng` in noise.ts)."""

    def __init__(self, seed: int):
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= M32:
            raise ValueError(f"seed must be an integer in 0..4294967295, got {seed!r}")
        a, s = seed, []
        for _ in range(4):
            a = (a + 0x9E3779B9) & M32
            t = a ^ (a >> 16)
            t = (t * 0x21F0AAAD) & M32
            t ^= t >> 15
            t = (t * 0x735A2D97) & M32
            t ^= t >> 15
            s.append(t)
        if not any(s):
            s[0] = 1
        self.s = s

    def next_uint32(self) -> int:
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & M32, 7) * 9) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def next_float(self) -> float:
        hi = self.next_uint32() >> 5  # 27 bits
        lo = self.next_uint32() >> 6  # 26 bits
        return (hi * 67108864 + lo) / 9007199254740992


def portable_log(x: float) -> float:
    """ln x for a positive finite x with + - * / only (`portableLog` in noise.ts, same operation order)."""
    if not (x > 0) or not math.isfinite(x):
        raise ValueError(f"portable_log needs a positive finite number, got {x}")
    m, e = x, 0
    while m < SQRT_HALF:
        m *= 2
        e -= 1
    while m >= SQRT_TWO:
        m /= 2
        e += 1
    s = (m - 1) / (m + 1)
    s2 = s * s
    term = total = s
    for k in range(3, 32, 2):
        term *= s2
        total += term / k
    return 2 * total + e * LN2


def gaussian_noise(seed: int, n: int) -> np.ndarray:
    """n standard-normal samples as float32, the same bits as `gaussianNoise(seed, n)` in TypeScript."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng, out = Rng(seed), []
    while len(out) < n:
        u = 2 * rng.next_float() - 1
        v = 2 * rng.next_float() - 1
        s = u * u + v * v
        if s >= 1 or s == 0:
            continue
        f = math.sqrt((-2 * portable_log(s)) / s)
        out.append(u * f)
        if len(out) < n:
            out.append(v * f)
    return np.asarray(out, dtype=np.float64).astype(np.float32)
