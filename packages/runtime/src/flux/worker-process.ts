/**
 * Supervises one long-lived tensor worker process (spec/WORKER-PROTOCOL.md): newline-delimited
 * JSON commands on its stdin, events on its stdout, human logs on stderr (the last lines are
 * kept for error messages). The model stays loaded between jobs. A crash fails the running
 * job with a clear error; the next job starts a fresh process. Workers never outlive this
 * Node process (killed on dispose and on exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CancelledError, type CancelSignal } from '@contextgen/core';
import { ModelFolderError } from '../load-model.ts';

/** How to start the worker. */
export interface WorkerCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface WorkerOptions {
  /** Named in every error (`FLUX worker for model "x"`). */
  readonly label: string;
  /** Give up waiting for `ready` after this long (model loading included), ms. */
  readonly readyTimeoutMs?: number;
  /** After a cancel, kill the worker if it has not stopped the job within this, ms. */
  readonly cancelGraceMs?: number;
  /** stderr lines kept for error messages. */
  readonly stderrLines?: number;
  /** Every stderr line (the worker's log), e.g. to forward to the server's log. */
  readonly onLog?: (line: string) => void;
}

/** A worker event (spec section 3); unknown fields are kept. */
export interface WorkerEvent {
  readonly event: string;
  readonly job?: string | null;
  readonly [field: string]: unknown;
}

export interface JobProgress {
  readonly step: number;
  readonly total: number;
  /** Absolute path of the preview PNG the worker wrote, when previews were asked for. */
  readonly preview?: string;
}

export interface JobRunOptions {
  readonly signal?: CancelSignal & {
    addEventListener?(type: 'abort', listener: () => void): void;
    removeEventListener?(type: 'abort', listener: () => void): void;
  };
  readonly onProgress?: (p: JobProgress) => void;
}

/** Error kinds of the protocol whose fix is in the user's hands (model folder, profile, input). */
const INPUT_KINDS = new Set(['bad-input', 'missing-files', 'bad-lora', 'cuda-missing']);

/** A failure the worker reported, or its death. `kind` is the protocol's error kind or `crash`/`timeout`. */
export class WorkerError extends Error {
  override readonly name: string = 'WorkerError';
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** The user's input or setup is wrong (a ModelFolderError to the CLI: exit code 2). */
function reported(kind: string, message: string): Error {
  if (INPUT_KINDS.has(kind)) {
    const err = new ModelFolderError(message);
    (err as { kind?: string }).kind = kind;
    return err;
  }
  return new WorkerError(kind, message);
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

interface RunningJob {
  readonly id: string;
  readonly resolve: (e: WorkerEvent) => void;
  readonly reject: (err: Error) => void;
  readonly onProgress?: (p: JobProgress) => void;
  step: number;
  total: number;
}

/** One worker process at a time, restarted on demand. Jobs run one after another. */
export class WorkerSupervisor {
  private child: ChildProcess | undefined;
  private ready: Promise<WorkerEvent> | undefined;
  private readyEvent: WorkerEvent | undefined;
  private job: RunningJob | undefined;
  private stderrTail: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private exited: Promise<void> = Promise.resolve();
  /** How many processes were started (tests and the figures). */
  starts = 0;

  constructor(
    private readonly cmd: WorkerCommand,
    private readonly options: WorkerOptions,
  ) {}

  /** Process id of the current worker, if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The `ready` event of the current worker (its model facts), once started. */
  get facts(): WorkerEvent | undefined {
    return this.readyEvent;
  }

  private tail(): string {
    return this.stderrTail.length > 0
      ? `\nlast worker log lines:\n  ${this.stderrTail.join('\n  ')}`
      : ' (the worker wrote nothing to stderr)';
  }

  /** Start the worker when none runs and wait for its `ready` event. */
  start(): Promise<WorkerEvent> {
    if (this.disposed) return Promise.reject(new Error(`${this.options.label} was disposed`));
    if (this.ready) return this.ready;
    installExitHook();
    this.stderrTail = [];
    this.readyEvent = undefined;
    const child = spawn(this.cmd.command, [...this.cmd.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...this.cmd.env },
      ...(this.cmd.cwd ? { cwd: this.cmd.cwd } : {}),
    });
    this.child = child;
    this.starts++;
    live.add(child);
    const keep = this.options.stderrLines ?? 40;
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrTail.push(line.length > 500 ? `${line.slice(0, 500)}...` : line);
      if (this.stderrTail.length > keep) this.stderrTail.shift();
      this.options.onLog?.(line);
    });
    // A closed stdin (the worker died) must not crash Node with EPIPE.
    child.stdin!.on('error', () => {});

    let readyResolve!: (e: WorkerEvent) => void;
    let readyReject!: (err: Error) => void;
    const ready = new Promise<WorkerEvent>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    ready.catch(() => {});
    let isReady = false;
    const timeoutMs = this.options.readyTimeoutMs ?? 600_000;
    const timer = setTimeout(() => {
      readyReject(
        new WorkerError(
          'timeout',
          `${this.options.label} did not report ready within ${(timeoutMs / 1000).toFixed(1)} s (loading the model); it was stopped. ` +
            `Check the model folder with \`contextgen doctor --model DIR\`, or allow more time.${this.tail()}`,
        ),
      );
      this.kill(child);
    }, timeoutMs);
    let startupError: Error | undefined;

    createInterface({ input: child.stdout! }).on('line', (line) => {
      let ev: WorkerEvent;
      try {
        ev = JSON.parse(line) as WorkerEvent;
      } catch {
        this.stderrTail.push(`(stdout, not JSON) ${line.slice(0, 300)}`);
        return;
      }
      if (typeof ev !== 'object' || ev === null || typeof ev.event !== 'string') return;
      if (ev.event === 'ready') {
        isReady = true;
        clearTimeout(timer);
        this.readyEvent = ev;
        readyResolve(ev);
        return;
      }
      if (ev.event === 'error' && (ev.job === null || ev.job === undefined)) {
        const message = `${this.options.label}: ${String(ev.message)}`;
        if (!isReady) startupError = reported(String(ev.kind), message);
        else this.stderrTail.push(`(worker error) ${String(ev.message)}`);
        return;
      }
      this.onJobEvent(ev);
    });

    this.exited = new Promise<void>((res) => {
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        live.delete(child);
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        if (!isReady) {
          readyReject(
            startupError ??
              new WorkerError(
                'crash',
                `${this.options.label} ${how} while loading the model.${this.tail()}`,
              ),
          );
        }
        const job = this.job;
        if (job) {
          this.job = undefined;
          job.reject(
            new WorkerError(
              'crash',
              `${this.options.label} (pid ${child.pid}) ${how} during job ${job.id} (after step ${job.step}${job.total ? ` of ${job.total}` : ''}); ` +
                `the job failed and the next job starts a fresh worker.${this.tail()}`,
            ),
          );
        }
        res();
      });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      live.delete(child);
      if (this.child === child) {
        this.child = undefined;
        this.ready = undefined;
      }
      readyReject(
        new ModelFolderError(
          `${this.options.label}: cannot start ${this.cmd.command} (${err.message}); install Python and the published-model packages (see \`contextgen doctor\`), or set CONTEXTGEN_PYTHON`,
        ),
      );
    });
    this.ready = ready;
    return ready;
  }

  private onJobEvent(ev: WorkerEvent): void {
    const job = this.job;
    if (!job || ev.job !== job.id) return;
    switch (ev.event) {
      case 'progress': {
        job.step = Number(ev.step);
        job.total = Number(ev.total);
        try {
          job.onProgress?.({
            step: job.step,
            total: job.total,
            ...(typeof ev.preview === 'string' ? { preview: ev.preview } : {}),
          });
        } catch (err) {
          // A throwing callback fails its job (never the process); the worker stops the job.
          this.job = undefined;
          this.send({ cmd: 'cancel', job: job.id });
          job.reject(err instanceof Error ? err : new Error(String(err)));
        }
        return;
      }
      case 'done':
        this.job = undefined;
        job.resolve(ev);
        return;
      case 'cancelled':
        this.job = undefined;
        job.reject(new CancelledError(Number(ev.step ?? job.step), job.total));
        return;
      case 'error':
        this.job = undefined;
        job.reject(reported(String(ev.kind), `${this.options.label}: ${String(ev.message)}`));
        return;
      default:
        return;
    }
  }

  private send(command: Record<string, unknown>): void {
    const stdin = this.child?.stdin;
    if (stdin && !stdin.destroyed) stdin.write(JSON.stringify(command) + '\n');
  }

  private kill(child: ChildProcess): void {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /**
   * Run one job (the worker reads its job directory). Resolves with the `done` event; rejects
   * with CancelledError, the worker's error, or a crash error.
   */
  run(id: string, dir: string, opts: JobRunOptions = {}): Promise<WorkerEvent> {
    const next = this.queue.then(() => this.runNow(id, dir, opts));
    this.queue = next.catch(() => {});
    return next;
  }

  private async runNow(id: string, dir: string, opts: JobRunOptions): Promise<WorkerEvent> {
    const { signal } = opts;
    if (signal?.aborted) throw new CancelledError(0, 0);
    await this.start();
    const child = this.child;
    if (!child)
      throw new WorkerError('crash', `${this.options.label} stopped before the job${this.tail()}`);
    let graceTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      this.send({ cmd: 'cancel', job: id });
      graceTimer = setTimeout(() => {
        const job = this.job;
        if (job?.id !== id) return;
        this.job = undefined;
        job.reject(new CancelledError(job.step, job.total));
        this.kill(child); // it did not stop in time; the next job gets a fresh worker
      }, this.options.cancelGraceMs ?? 15_000);
    };
    try {
      return await new Promise<WorkerEvent>((resolve, reject) => {
        this.job = {
          id,
          resolve,
          reject,
          step: 0,
          total: 0,
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        };
        signal?.addEventListener?.('abort', onAbort);
        this.send({ cmd: 'generate', job: id, dir });
        if (signal?.aborted) onAbort();
      });
    } finally {
      signal?.removeEventListener?.('abort', onAbort);
      if (graceTimer) clearTimeout(graceTimer);
    }
  }

  /** Stop the worker: `shutdown`, then SIGKILL if it has not exited within `graceMs`. Idempotent. */
  async dispose(graceMs = 5_000): Promise<void> {
    this.disposed = true;
    const child = this.child;
    if (!child) return;
    this.send({ cmd: 'shutdown' });
    child.stdin?.end();
    const timer = setTimeout(() => this.kill(child), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
