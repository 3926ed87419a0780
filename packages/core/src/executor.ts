/**
 * The interface the pipeline runs over. An executor owns the model's two networks (text
 * encoder and denoiser, spec/CONTRACTS.md section 4); the ONNX Runtime one lives in
 * packages/runtime, tests use small fakes.
 */
import type { ModelManifest } from './manifest.ts';

/** A dense float32 tensor, row-major. */
export interface Float32Tensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** A dense int64 tensor, row-major. */
export interface Int64Tensor {
  readonly data: BigInt64Array;
  readonly dims: readonly number[];
}

/**
 * The denoiser ONNX inputs (CONTRACTS section 4), N = Ntxt + Nimg tokens in sequence order.
 * - `txt` `[B, Ntxt, Dt]` text-encoder output for the prompt then the phrases
 * - `img` `[B, Nimg, P*P*3]` patches of main (noisy), layout, refs, in model space
 * - `pos` `[B, N, 3]` position ids; `seg`, `inst`, `cover`, `valid` `[B, N]` descriptors
 * - `t` `[B]` timestep in [0, 1]
 */
export interface DenoiserInputs {
  readonly txt: Float32Tensor;
  readonly img: Float32Tensor;
  readonly pos: Int64Tensor;
  readonly seg: Int64Tensor;
  readonly inst: Int64Tensor;
  readonly cover: Int64Tensor;
  readonly valid: Int64Tensor;
  readonly t: Float32Tensor;
}

/** Runs a model. Implementations must not retain the input arrays after a call resolves. */
export interface Executor {
  readonly manifest: ModelManifest;
  /** Text encoder: `ids` int64 `[batch, length]` (0 = pad) -> `emb` `[batch, length, Dt]`. */
  encodeText(ids: BigInt64Array, batch: number, length: number): Promise<Float32Tensor>;
  /** Denoiser: returns `out` `[B, Nimg, P*P*3]`, the predicted velocity for every image token. */
  denoise(inputs: DenoiserInputs): Promise<Float32Tensor>;
  /** Releases sessions and memory. */
  dispose(): Promise<void>;
}
