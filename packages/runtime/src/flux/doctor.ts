/**
 * The published model's environment checks for `contextgen doctor`: runs the worker's
 * `--check` mode (spec/WORKER-PROTOCOL.md section 1: no weights loaded) and turns its JSON
 * report into checks; adds the free-VRAM check for the memory profile.
 */
import { execFile } from 'node:child_process';
import type { ModelCard } from '@contextgen/core';
import type { DoctorCheck, DoctorOptions } from '../doctor.ts';
import { isFluxCard, type MemoryProfile } from './card.ts';
import { workerCommand } from './generator.ts';

export const INSTALL_PUBLISHED = '.venv/bin/pip install -r python/requirements-published.txt';

/** Rough GPU memory a profile needs at 768x768 with 3 references (weights + activations), GiB. */
export const PROFILE_VRAM_GIB: Readonly<Record<MemoryProfile, number>> = {
  full: 40,
  offload: 26,
  fp8: 24,
};

interface CheckReport {
  ok: boolean;
  python?: string;
  packages?: Record<string, string | null>;
  cuda?: {
    available: boolean;
    torchCuda?: string | null;
    device?: string | null;
    freeBytes?: number | null;
    totalBytes?: number | null;
  };
  files?: { diffusers?: string; lora?: string; missing?: string[] };
  profile?: string;
  problems?: { kind: string; message: string; fix?: string }[];
  lora?: { modules?: number; rank?: number; parameters?: number };
}

function runCheck(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string; spawnError?: string }> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      { env: { ...process.env, ...env }, timeout: 300_000, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
        if (e && typeof e.code === 'string')
          return done({ code: -1, stdout, stderr, spawnError: `${e.code}` });
        done({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const GiB = 1024 ** 3;

export async function fluxDoctor(card: ModelCard, options: DoctorOptions): Promise<DoctorCheck[]> {
  if (!isFluxCard(card)) return [];
  const profile = (options.profile ?? card.flux.profile) as MemoryProfile;
  const cmd = workerCommand(card, options, [
    '--check',
    ...(options.profile ? ['--profile', options.profile] : []),
  ]);
  const r = await runCheck(cmd.command, [...cmd.args], { ...cmd.env });
  if (r.spawnError) {
    return [
      {
        name: 'python',
        ok: false,
        detail: `cannot run ${cmd.command} (${r.spawnError})`,
        fix: 'install Python 3.11, then `bash scripts/setup.sh` (it makes .venv), or set CONTEXTGEN_PYTHON to a Python with the packages',
      },
    ];
  }
  let report: CheckReport;
  try {
    report = JSON.parse(r.stdout) as CheckReport;
  } catch {
    const tail = r.stderr.trim().split('\n').slice(-8).join('\n  ');
    return [
      {
        name: 'python packages',
        ok: false,
        detail: `${cmd.command} could not run the worker's check (exit ${r.code}):\n  ${tail}`,
        fix: `.venv/bin/pip install -r python/requirements.txt && ${INSTALL_PUBLISHED}`,
      },
    ];
  }
  const checks: DoctorCheck[] = [];
  const problems = report.problems ?? [];
  const missingPackages = problems.filter((p) => p.kind === 'missing-package');
  const pk = report.packages ?? {};
  checks.push({
    name: 'python packages',
    ok: missingPackages.length === 0,
    detail:
      `Python ${report.python ?? '?'} (${cmd.command}): ` +
      Object.entries(pk)
        .map(([n, v]) => `${n} ${v ?? 'MISSING'}`)
        .join(', ') +
      (missingPackages.length > 0
        ? `\n  ${missingPackages.map((p) => p.message).join('\n  ')}`
        : ''),
    ...(missingPackages.length > 0 ? { fix: missingPackages[0]!.fix ?? INSTALL_PUBLISHED } : {}),
  });
  const fileProblems = problems.filter((p) =>
    ['missing-files', 'bad-lora', 'bad-input'].includes(p.kind),
  );
  const missing = report.files?.missing ?? [];
  checks.push({
    name: 'model files',
    ok: fileProblems.length === 0 && missing.length === 0,
    detail:
      `diffusers ${report.files?.diffusers ?? card.flux.base}; LoRA ${report.files?.lora ?? card.flux.lora}` +
      (report.lora ? ` (${report.lora.modules} modules, rank ${report.lora.rank})` : '') +
      (missing.length > 0 ? `\n  missing: ${missing.join(', ')}` : '') +
      (fileProblems.length > 0 ? `\n  ${fileProblems.map((p) => p.message).join('\n  ')}` : ''),
    ...(fileProblems.length > 0 || missing.length > 0
      ? {
          fix:
            fileProblems[0]?.fix ?? 'download the missing files (README "Run the published model")',
        }
      : {}),
  });
  const cuda = report.cuda;
  const cudaProblem = problems.find((p) => p.kind === 'cuda-missing');
  const need = PROFILE_VRAM_GIB[profile];
  if (cudaProblem) {
    checks.push({
      name: 'CUDA',
      ok: false,
      detail: cudaProblem.message,
      ...(cudaProblem.fix ? { fix: cudaProblem.fix } : {}),
    });
  } else if (cuda?.available && cuda.freeBytes != null) {
    const free = cuda.freeBytes / GiB;
    checks.push({
      name: 'CUDA and free VRAM',
      ok: free >= need,
      detail: `${cuda.device ?? 'GPU'} (torch CUDA ${cuda.torchCuda ?? '?'}): ${free.toFixed(1)} GiB free of ${((cuda.totalBytes ?? 0) / GiB).toFixed(1)} GiB; profile ${profile} needs about ${need} GiB at 768x768 with 3 references`,
      ...(free >= need
        ? {}
        : {
            fix:
              profile === 'full'
                ? 'free the GPU, or use a smaller profile: set "flux.profile" to "fp8" (24 GB cards) or "offload"'
                : 'free the GPU (other processes hold its memory) or use a larger card',
          }),
    });
  } else {
    checks.push({
      name: 'CUDA',
      ok: true,
      detail: `no CUDA GPU visible (torch CUDA build ${cuda?.torchCuda ?? 'none'}); profile ${profile} runs on the CPU, which is only practical for the tiny test model`,
    });
  }
  const other = problems.filter(
    (p) =>
      !['missing-package', 'missing-files', 'bad-lora', 'bad-input', 'cuda-missing'].includes(
        p.kind,
      ),
  );
  for (const p of other)
    checks.push({ name: p.kind, ok: false, detail: p.message, ...(p.fix ? { fix: p.fix } : {}) });
  if (!report.ok && checks.every((c) => c.ok)) {
    checks.push({
      name: 'worker check',
      ok: false,
      detail: `the worker's check failed (exit ${r.code}) without naming a problem; run it yourself: ${cmd.command} ${cmd.args.join(' ')}`,
    });
  }
  return checks;
}
