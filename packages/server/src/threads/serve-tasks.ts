/**
 * The thread side: runs a handler per task, streams its events, answers with its result or
 * its error, and passes aborts on as an AbortSignal.
 */
import { parentPort, type Transferable } from 'node:worker_threads';
import { serializeError, type TaskMessage, type TaskReply } from './protocol.ts';

export type TaskHandler = (
  task: unknown,
  ctx: { signal: AbortSignal; emit: (event: unknown) => void },
) => Promise<{ result: unknown; transfer?: Transferable[] }>;

export function serveTasks(handler: TaskHandler): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks runs in a worker thread only');
  const controllers = new Map<number, AbortController>();
  port.on('message', (m: TaskMessage) => {
    if (m.kind === 'abort') return controllers.get(m.id)?.abort();
    const controller = new AbortController();
    controllers.set(m.id, controller);
    const emit = (event: unknown) =>
      port.postMessage({ id: m.id, kind: 'event', event } satisfies TaskReply);
    handler(m.task, { signal: controller.signal, emit })
      .then(
        ({ result, transfer }) =>
          port.postMessage({ id: m.id, kind: 'ok', result } satisfies TaskReply, transfer ?? []),
        (err: unknown) =>
          port.postMessage({
            id: m.id,
            kind: 'error',
            error: serializeError(err),
          } satisfies TaskReply),
      )
      .finally(() => controllers.delete(m.id));
  });
}
