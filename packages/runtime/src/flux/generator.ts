/**
 * The flux-kontext-lora `Generator`: plans each job in TypeScript, hands it to one long-lived
 * Python worker (FLUX.1-Kontext-dev + ContextGen LoRA, `python/contextgen_flux`) through a
 * per-job temp directory, and reads the image back. The worker starts when the model is
 * opened and stays warm between jobs.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateForCard, type Generator, type ModelCard } from '@contextgen/core';
import { REPO_ROOT } from '../find-model.ts';
import type { OpenOptions } from '../generators/kind.ts';
import type { FluxCard } from './card.ts';
import { readPng, writeJobFiles } from './job-files.ts';
import { planFluxJob } from './plan.ts';
import { WorkerSupervisor, type JobProgress, type WorkerCommand } from './worker-process.ts';

/** The Python that runs the worker: `--python`/option, CONTEXTGEN_PYTHON, then the repo's .venv. */
export function workerPython(option?: string): string {
  if (option) return option;
  if (process.env.CONTEXTGEN_PYTHON) return process.env.CONTEXTGEN_PYTHON;
  const venv = join(REPO_ROOT, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

/** The command line of the worker (spec/WORKER-PROTOCOL.md section 1). */
export function workerCommand(
  card: ModelCard,
  options: OpenOptions,
  extra: string[] = [],
): WorkerCommand {
  return {
    command: workerPython(options.python),
    args: [
      '-m',
      'contextgen_flux.worker',
      '--model-json',
      join(card.folder, 'model.json'),
      ...(options.device ? ['--device', options.device] : []),
      ...extra,
    ],
    env: { PYTHONPATH: join(REPO_ROOT, 'python'), PYTHONUNBUFFERED: '1', HF_HUB_OFFLINE: '1' },
  };
}

/** Default wait for the model to load: 20 minutes, or CONTEXTGEN_WORKER_READY_TIMEOUT_S. */
export function readyTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CONTEXTGEN_WORKER_READY_TIMEOUT_S;
  if (raw === undefined || raw === '') return 20 * 60_000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0)
    throw new Error(
      `CONTEXTGEN_WORKER_READY_TIMEOUT_S=${raw}: give the seconds a worker may take to load the model, e.g. 1800`,
    );
  return s * 1000;
}

/** Previews about ten times per job. */
function previewEvery(steps: number): number {
  return Math.max(1, Math.round(steps / 10));
}

/**
 * Open a flux card: start its worker and wait until the model is loaded.
 * @param command override the worker command (tests run a fake worker)
 */
export async function openFluxGenerator(
  card: FluxCard,
  options: OpenOptions,
  command: WorkerCommand = workerCommand(card, options),
): Promise<Generator & { readonly worker: WorkerSupervisor }> {
  const worker = new WorkerSupervisor(command, {
    label: `FLUX worker for model "${card.name}"`,
    readyTimeoutMs: options.readyTimeoutMs ?? readyTimeoutFromEnv(),
    ...(process.env.CONTEXTGEN_WORKER_LOG
      ? { onLog: (l: string) => process.stderr.write(`[flux] ${l}\n`) }
      : {}),
  });
  try {
    await worker.start();
  } catch (err) {
    await worker.dispose();
    if (err instanceof Error && (err as { kind?: string }).kind === 'cuda-missing') {
      err.message += ` (the profile is "flux.profile" in ${join(card.folder, 'model.json')}: "${card.flux.profile}")`;
    }
    throw err;
  }
  let disposed = false;
  return {
    card,
    worker,
    validate: (request) => validateForCard(card, request),
    async generate(input, images, run = {}) {
      if (disposed) throw new Error(`model "${card.name}" was disposed; open it again`);
      const start = performance.now();
      const wantPreviews = run.previews === true && run.onProgress !== undefined;
      const steps = validateForCard(card, input).request.steps;
      const planned = planFluxJob(card, input, images, wantPreviews ? previewEvery(steps) : 0);
      const planMs = performance.now() - start;
      const dir = await mkdtemp(join(tmpdir(), 'contextgen-flux-'));
      try {
        await writeJobFiles(dir, planned.job, planned.layout, planned.references);
        const t0 = performance.now();
        const { onProgress } = run;
        // Reports go out in step order: a step with a preview waits for its PNG to be read.
        let reports: Promise<void> = Promise.resolve();
        let open = true;
        let callbackError: unknown;
        const report = (p: JobProgress): void => {
          if (!onProgress) return;
          reports = reports
            .then(async () => {
              const preview = p.preview
                ? await readPng(p.preview).catch(() => undefined)
                : undefined;
              if (open)
                onProgress({ step: p.step, total: p.total, ...(preview ? { preview } : {}) });
            })
            .catch((err: unknown) => {
              callbackError ??= err;
            });
        };
        let done;
        try {
          done = await worker.run(`job-${randomUUID()}`, dir, {
            ...(run.signal ? { signal: run.signal } : {}),
            onProgress: report,
          });
          await reports;
          if (callbackError !== undefined) throw callbackError;
        } finally {
          open = false;
        }
        const image = await readPng(String(done.result));
        if (image.width !== planned.request.width || image.height !== planned.request.height) {
          throw new Error(
            `${card.name}: the worker returned a ${image.width}x${image.height} image for a ${planned.request.width}x${planned.request.height} request`,
          );
        }
        const modelMs = performance.now() - t0;
        return {
          image,
          seed: planned.job.seed,
          timings: { composeMs: planMs, planMs: 0, modelMs, totalMs: performance.now() - start },
          warnings: planned.warnings,
          layout: planned.layout,
          tokens: planned.plan.length,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await worker.dispose();
    },
  };
}
