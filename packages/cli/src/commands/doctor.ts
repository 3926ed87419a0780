/** `contextgen doctor [--model DIR|NAME] [--profile P] [--device D] [--json]` */
import { parseArgs } from 'node:util';
import { doctorModel, MEMORY_PROFILES } from '@contextgen/runtime';
import { UsageError } from '../errors.ts';
import { chooseModel } from '../model-choice.ts';
import type { Io } from '../io.ts';

export const DOCTOR_USAGE = `contextgen doctor [--model DIR|NAME] [options]
  checks that a model folder can run here: its files, and for the published model (FLUX.1-Kontext
  + LoRA) Python, the packages, CUDA and free GPU memory; says what is missing and how to get it
  --profile full|offload|fp8  memory profile to check (default: model.json's)
  --device cuda|cpu|auto      device to check (default: auto)
  --json                      the report as JSON
  exit code 0 = ready, 2 = something is missing (listed)`;

export async function runDoctor(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      profile: { type: 'string' },
      device: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length > 0)
    throw new UsageError(`doctor takes no positional arguments\n${DOCTOR_USAGE}`);
  if (
    values.profile !== undefined &&
    !(MEMORY_PROFILES as readonly string[]).includes(values.profile)
  ) {
    throw new UsageError(`--profile ${values.profile}: use one of ${MEMORY_PROFILES.join(', ')}`);
  }
  const folder = chooseModel(values.model, undefined, process.cwd());
  const report = await doctorModel(folder, {
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    ...(values.device !== undefined ? { device: values.device } : {}),
  });
  if (values.json) {
    io.out(
      JSON.stringify({ ok: report.ok, folder: report.folder, checks: report.checks }, null, 2),
    );
  } else {
    for (const c of report.checks) {
      io.out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
      if (!c.ok && c.fix) io.out(`     fix: ${c.fix}`);
    }
    io.out(
      report.ok
        ? `ready: ${report.folder}`
        : `not ready: ${report.checks.filter((c) => !c.ok).length} problem(s) above`,
    );
  }
  return report.ok ? 0 : 2;
}
