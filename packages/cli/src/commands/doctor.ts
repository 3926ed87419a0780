/** `contextgen doctor [--model DIR|NAME] [--profile P] [--device D] [--json]` */
import { commandUsage, parseCommand, type CommandSpec } from '@contextgen/core';
import { doctorModel, MEMORY_PROFILES } from '@contextgen/runtime';
import { UsageError } from '../errors.ts';
import { chooseModel } from '../model-choice.ts';
import type { Io } from '../io.ts';

export const DOCTOR_COMMAND = {
  name: 'contextgen doctor',
  synopsis: '[--model DIR|NAME] [options]',
  summary:
    'checks that a model folder can run here: its files, and for the published model (FLUX.1-Kontext + LoRA) Python, the packages, CUDA and free GPU memory; says what is missing and how to get it',
  options: {
    model: {
      type: 'string',
      value: 'DIR|NAME',
      help: 'model folder (default: CONTEXTGEN_MODEL, then models/embedded)',
    },
    profile: {
      type: 'string',
      value: 'full|offload|fp8',
      help: "memory profile to check (default: model.json's)",
    },
    device: { type: 'string', value: 'cuda|cpu|auto', help: 'device to check (default: auto)' },
    json: { type: 'boolean', help: 'the report as JSON' },
  },
  notes: 'Exit code 0 = ready, 2 = something is missing (listed).',
} as const satisfies CommandSpec;

export const DOCTOR_USAGE = commandUsage(DOCTOR_COMMAND);

export async function runDoctor(argv: string[], io: Io): Promise<number> {
  const args = parseCommand(DOCTOR_COMMAND, argv);
  if (args.help) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  const { values } = args;
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
