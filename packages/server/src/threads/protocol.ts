/** Messages between the main thread and a task thread (pool.ts, serve-tasks.ts). */

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  /** Own enumerable fields (statusCode, code, field, ...). */
  readonly fields: Record<string, unknown>;
}

export type TaskMessage =
  | { readonly id: number; readonly kind: 'run'; readonly task: unknown }
  | { readonly id: number; readonly kind: 'abort' };

export type TaskReply =
  | { readonly id: number; readonly kind: 'ok'; readonly result: unknown }
  | { readonly id: number; readonly kind: 'error'; readonly error: SerializedError }
  | { readonly id: number; readonly kind: 'event'; readonly event: unknown };

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err))
    if (k === 'name' || k === 'message' || k === 'stack') continue;
    else if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
  return { name: err.name, message: err.message, fields };
}
