/**
 * The slice of the ONNX Runtime JS API the executor uses. `onnxruntime-node` and
 * `onnxruntime-web` both provide it (they share `onnxruntime-common`); each entry point passes
 * its own module, so no module here imports a runtime.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';

export interface OrtApi {
  readonly InferenceSession: {
    create(uri: string, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
    create(
      buffer: Uint8Array,
      options?: InferenceSession.SessionOptions,
    ): Promise<InferenceSession>;
  };
  readonly Tensor: {
    new (type: 'float32', data: Float32Array, dims: readonly number[]): Tensor;
    new (type: 'int64', data: BigInt64Array, dims: readonly number[]): Tensor;
  };
}

export type { InferenceSession, Tensor };
