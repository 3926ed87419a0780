/**
 * Test doubles for packages that run the pipeline without a model (`@contextgen/core/testing`).
 * The manifest says `trained: false`: nothing made with these is a model result.
 */
import type { DenoiserInputs, Executor, Float32Tensor } from './executor.ts';
import { parseManifest } from './manifest.ts';
import type { ModelManifest } from './manifest.ts';
import { SEG } from './types.ts';

/** A small valid manifest (P = 8, 64..128 px) for tests; fields may be overridden. */
export function testManifest(overrides: Record<string, unknown> = {}): ModelManifest {
  return parseManifest(
    {
      format: 'contextgen-model/1',
      name: 'test-fixture',
      trained: false,
      description: 'test double, not a model',
      tokenSize: 8,
      channels: 3,
      pixelRange: [-1, 1],
      limits: {
        maxInstances: 8,
        minSide: 32,
        maxSide: 128,
        maxTokens: 2048,
        refArea: 1024,
        refMaxSide: 48,
        maxTextTokens: 16,
        maxPhraseTokens: 4,
      },
      layerKinds: ['cla', 'ica', 'cla'],
      architecture: {},
      tokenizer: { kind: 'word', vocab: 'vocab.json', maxLength: 16 },
      sampling: {
        steps: 4,
        guidance: 1,
        shift: { baseTokens: 64, maxTokens: 256, baseShift: 0.5, maxShift: 1.15 },
      },
      files: { textEncoder: 'text_encoder.onnx', denoiser: 'denoiser.onnx' },
      io: {
        textEncoder: {
          inputs: { ids: { dtype: 'int64', shape: ['B', 'L'] } },
          outputs: { emb: { dtype: 'float32', shape: ['B', 'L', 4] } },
        },
        denoiser: { inputs: {}, outputs: { out: { dtype: 'float32', shape: ['B', 'Nimg', 192] } } },
      },
      ...overrides,
    },
    'test-fixture',
  );
}

export const TEST_VOCAB: readonly string[] = [
  '<pad>',
  '<unk>',
  '<bos>',
  'a',
  'cat',
  'dog',
  'on',
  'the',
  'beach',
  'red',
  'ball',
];

/**
 * An executor whose "velocity" is `(x - layout)/t` on main tokens, so Euler sampling lands
 * exactly on the layout image (in model space): end-to-end plumbing checks without a model.
 * Records every denoiser call's token count and timestep in `calls`.
 */
export function layoutCopyExecutor(
  manifest: ModelManifest = testManifest(),
): Executor & { calls: { n: number; t: number; textTokens: number }[] } {
  const calls: { n: number; t: number; textTokens: number }[] = [];
  return {
    manifest,
    calls,
    async encodeText(ids: BigInt64Array, batch: number, length: number): Promise<Float32Tensor> {
      const dt = 4;
      const data = new Float32Array(batch * length * dt);
      ids.forEach((id, i) => data.fill(Number(id) / 10, i * dt, (i + 1) * dt));
      return { data, dims: [batch, length, dt] };
    },
    async denoise(inputs: DenoiserInputs): Promise<Float32Tensor> {
      const [, nImg, D] = inputs.img.dims as [number, number, number];
      const seg = inputs.seg.data;
      let nMain = 0;
      for (const s of seg) if (Number(s) === SEG.MAIN) nMain++;
      const t = inputs.t.data[0]!;
      calls.push({ n: seg.length, t, textTokens: inputs.txt.dims[1]! });
      const x = inputs.img.data;
      const out = new Float32Array(nImg * D);
      for (let i = 0; i < nMain * D; i++) out[i] = (x[i]! - x[nMain * D + i]!) / t;
      return { data: out, dims: [1, nImg, D] };
    },
    async dispose(): Promise<void> {},
  };
}
