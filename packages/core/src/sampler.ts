/**
 * The sampler: a plain Euler loop over the flow-matching ODE with classifier-free guidance
 * (CONTRACTS section 4). Only the main latent is integrated; the caller's `predict` feeds the
 * clean context tokens every step.
 */

import type { CancelSignal } from './types.ts';

/** Thrown when an AbortSignal stops sampling between steps. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(step: number, total: number) {
    super(`generation cancelled after ${step} of ${total} steps`);
  }
}

export interface SamplerProgress {
  readonly step: number;
  readonly total: number;
  /** The latent after this step (model space, same layout as `noise`). */
  readonly latent?: Float32Array;
}

/** Which conditioning a prediction is for. */
export type Branch = 'cond' | 'uncond';

export interface SampleOptions {
  /** Initial latent at t = timesteps[0] (pure noise at t = 1). Not modified. */
  readonly noise: Float32Array;
  /** Decreasing times, from 1 to 0, length steps + 1. */
  readonly timesteps: readonly number[];
  /** Guidance scale g: `v = vu + g (vc - vu)`; g = 1 skips the unconditional pass. */
  readonly guidance: number;
  /** Velocity of the main latent `x` at time `t`. */
  readonly predict: (x: Float32Array, t: number, branch: Branch) => Promise<Float32Array>;
  readonly onProgress?: (p: SamplerProgress) => void;
  /** Include the latent in progress reports (a copy per step). */
  readonly reportLatent?: boolean;
  readonly signal?: CancelSignal;
}

/** Integrate from noise to data; returns the final latent (t = 0). */
export async function sample(opts: SampleOptions): Promise<Float32Array> {
  const { timesteps: ts, guidance } = opts;
  const total = ts.length - 1;
  if (total < 1) throw new RangeError('timesteps must hold at least two times');
  const x = new Float32Array(opts.noise);
  for (let i = 0; i < total; i++) {
    if (opts.signal?.aborted) throw new CancelledError(i, total);
    const t = ts[i]!;
    const dt = ts[i + 1]! - t;
    const vc = await opts.predict(x, t, 'cond');
    checkLength(vc, x.length);
    if (guidance === 1) {
      for (let j = 0; j < x.length; j++) x[j] = x[j]! + dt * vc[j]!;
    } else {
      const vu = await opts.predict(x, t, 'uncond');
      checkLength(vu, x.length);
      for (let j = 0; j < x.length; j++) {
        const u = vu[j]!;
        x[j] = x[j]! + dt * (u + guidance * (vc[j]! - u));
      }
    }
    opts.onProgress?.({
      step: i + 1,
      total,
      ...(opts.reportLatent ? { latent: new Float32Array(x) } : {}),
    });
  }
  return x;
}

function checkLength(v: Float32Array, n: number): void {
  if (v.length !== n) throw new RangeError(`velocity has ${v.length} values, the latent ${n}`);
}
