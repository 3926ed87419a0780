/** Human-readable tensor summaries for runtime failures: names, dims and dtypes. */

export interface TensorLike {
  readonly type: string;
  readonly dims: readonly number[];
}

/** `  img: float32 [1, 192, 192]` lines, one per feed. */
export function describeFeeds(feeds: Record<string, TensorLike>): string {
  return Object.entries(feeds)
    .map(([name, t]) => `  ${name}: ${t.type} [${t.dims.join(', ')}]`)
    .join('\n');
}

export class ModelRunError extends Error {
  override readonly name = 'ModelRunError';
}

/** Wrap an ONNX Runtime failure with what was fed to it and what the manifest expected. */
export function runFailure(
  component: string,
  cause: unknown,
  feeds: Record<string, TensorLike>,
  expected: Record<string, { dtype: string; shape: readonly (number | string)[] }>,
): ModelRunError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const want = Object.entries(expected)
    .map(([name, s]) => `  ${name}: ${s.dtype} [${s.shape.join(', ')}]`)
    .join('\n');
  const err = new ModelRunError(
    `${component} failed in ONNX Runtime: ${detail}\nInputs given:\n${describeFeeds(feeds)}\nInputs model.json declares:\n${want}`,
  );
  (err as { cause?: unknown }).cause = cause;
  return err;
}
