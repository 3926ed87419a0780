/**
 * The learned identity check: runs bench/evaluators/identity-net.onnx (a small siamese CNN trained
 * on training identities only, see python/contextgen_ident and identity-net.json) through
 * onnxruntime-node on (reference cutout, crop found in the image) pairs. Similarity = 100 *
 * sigmoid(logit), in 0..100; the pass threshold is calibrated (`bench calibrate`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { AlignedCrop } from '../eval/identity.ts';
import { NET_CHANNELS, NET_PLANE, NET_SIDE, writeNetInput } from './net-input.ts';

export const IDENTITY_NET_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../bench/evaluators/identity-net.onnx',
);

export interface IdentityPair {
  readonly reference: AlignedCrop;
  readonly crop: AlignedCrop;
}

/** sha256 of a file, hex (the calibration records the network it was fitted with). */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function similarityOfLogit(logit: number): number {
  return 100 / (1 + Math.exp(-logit));
}

export class IdentityNet {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly path: string,
    readonly sha256: string,
  ) {}

  static async load(path: string = IDENTITY_NET_PATH): Promise<IdentityNet> {
    if (!existsSync(path)) {
      throw new Error(
        `identity network not found at ${path}; train it with "PYTHONPATH=python .venv/bin/python -m contextgen_ident.train" (see packages/bench/README.md)`,
      );
    }
    const session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    return new IdentityNet(session, path, fileSha256(path));
  }

  /** Similarities (0..100), one per pair, in order. */
  async similarities(pairs: readonly IdentityPair[]): Promise<number[]> {
    if (pairs.length === 0) return [];
    const n = pairs.length;
    const size = NET_CHANNELS * NET_PLANE;
    const ref = new Float32Array(n * size);
    const crop = new Float32Array(n * size);
    pairs.forEach((p, i) => {
      writeNetInput(p.reference, ref, i * size);
      writeNetInput(p.crop, crop, i * size);
    });
    const dims = [n, NET_CHANNELS, NET_SIDE, NET_SIDE];
    const out = await this.session.run({
      reference: new ort.Tensor('float32', ref, dims),
      crop: new ort.Tensor('float32', crop, dims),
    });
    const logit = out['logit'];
    if (!logit || logit.data.length !== n) {
      throw new Error(
        `${this.path}: expected output "logit" with ${n} values; retrain or re-export it`,
      );
    }
    return Array.from(logit.data as Float32Array, similarityOfLogit);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
