/** The shifted flow-matching schedule (DESIGN 5, CONTRACTS section 4): a few pure functions. */
import type { ShiftConfig } from './manifest.ts';

/** `mu`, linear in the main token count between (baseTokens, baseShift) and (maxTokens, maxShift). */
export function shiftMu(nMain: number, cfg: ShiftConfig): number {
  return (
    cfg.baseShift +
    ((cfg.maxShift - cfg.baseShift) * (nMain - cfg.baseTokens)) / (cfg.maxTokens - cfg.baseTokens)
  );
}

/** `t' = e^mu / (e^mu + (1/t - 1))`; exact at t = 0 and t = 1. */
export function timeShift(mu: number, t: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return 1;
  const e = Math.exp(mu);
  return e / (e + (1 / t - 1));
}

/** `steps + 1` times from 1 down to 0: uniform in t, then shifted. */
export function timesteps(steps: number, nMain: number, cfg: ShiftConfig): number[] {
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`steps must be a positive integer, got ${steps}`);
  const mu = shiftMu(nMain, cfg);
  return Array.from({ length: steps + 1 }, (_, i) => timeShift(mu, 1 - i / steps));
}
