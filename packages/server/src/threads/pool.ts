/**
 * Worker threads that run TypeScript modules (through tsx's loader, registered in the thread),
 * and a bounded pool over them: at most `size` tasks run at once, the rest wait in order. The
 * main thread keeps answering HTTP while decoding, cutouts and generations run here.
 */
import { Worker, type Transferable } from 'node:worker_threads';
import type { TaskMessage, TaskReply, SerializedError } from './protocol.ts';

/** Starts a worker thread on a TypeScript module. */
export function startTsWorker(module: URL, workerData?: unknown): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const code =
    `import(${JSON.stringify(api)})` +
    `.then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(code, { eval: true, workerData });
}

/** Rebuilds a thrown error on this side: same name, message and own fields. */
export function reviveError(e: SerializedError): Error {
  const err = new Error(e.message);
  Object.defineProperty(err, 'name', { value: e.name });
  Object.assign(err, e.fields);
  return err;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onEvent?: (e: unknown) => void;
}

/** One thread, many tasks by id; a task may stream events before its result. */
export class ThreadClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  #dead: Error | undefined;

  constructor(module: URL, workerData?: unknown) {
    this.#worker = startTsWorker(module, workerData);
    this.#worker.on('message', (m: TaskReply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      if (m.kind === 'event') return p.onEvent?.(m.event);
      this.#pending.delete(m.id);
      if (m.kind === 'ok') p.resolve(m.result);
      else p.reject(reviveError(m.error));
    });
    const fail = (err: Error) => {
      this.#dead = err;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`worker thread exited (code ${code})`)));
  }

  /** Sends a task; `abort` posts an abort for it to the thread. */
  run<T>(
    task: unknown,
    opts: { transfer?: Transferable[]; onEvent?: (e: unknown) => void; signal?: AbortSignal } = {},
  ): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      });
      const message: TaskMessage = { id, kind: 'run', task };
      this.#worker.postMessage(message, opts.transfer ?? []);
      opts.signal?.addEventListener(
        'abort',
        () => this.#worker.postMessage({ id, kind: 'abort' } satisfies TaskMessage),
        { once: true },
      );
      if (opts.signal?.aborted)
        this.#worker.postMessage({ id, kind: 'abort' } satisfies TaskMessage);
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

/** `size` threads on one module; tasks wait in order for a free thread. */
export class ThreadPool {
  readonly #module: URL;
  readonly #size: number;
  readonly #workerData: unknown;
  readonly #idle: ThreadClient[] = [];
  readonly #all: ThreadClient[] = [];
  readonly #waiting: ((c: ThreadClient) => void)[] = [];

  constructor(module: URL, size: number, workerData?: unknown) {
    this.#module = module;
    this.#size = Math.max(1, size);
    this.#workerData = workerData;
  }

  /** Tasks waiting for a thread now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  async #acquire(): Promise<ThreadClient> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#all.length < this.#size) {
      const c = new ThreadClient(this.#module, this.#workerData);
      this.#all.push(c);
      return c;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(c: ThreadClient): void {
    const next = this.#waiting.shift();
    if (next) next(c);
    else this.#idle.push(c);
  }

  async run<T>(task: unknown, transfer: Transferable[] = []): Promise<T> {
    const c = await this.#acquire();
    try {
      return await c.run<T>(task, { transfer });
    } finally {
      this.#release(c);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((c) => c.close()));
  }
}
