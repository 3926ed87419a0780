/**
 * `contextgen doctor --model DIR`: is this model folder runnable here? The folder and the files
 * model.json names (every kind), then the kind's own environment checks (for the published
 * model: Python, its packages, CUDA and free VRAM, asked of the worker's `--check` mode).
 * Each failed check says exactly what is missing and how to get it.
 */
import type { ModelCard } from '@contextgen/core';
import { readModelCard } from './generators/registry.ts';
import { fluxDoctor } from './flux/doctor.ts';
import type { OpenOptions } from './generators/kind.ts';

export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What to run or download when not ok. */
  readonly fix?: string;
}

export interface DoctorReport {
  readonly ok: boolean;
  readonly folder: string;
  readonly card?: ModelCard;
  readonly checks: DoctorCheck[];
}

export interface DoctorOptions extends OpenOptions {
  /** Memory profile to check instead of model.json's (flux kinds). */
  readonly profile?: string;
}

/** Environment checks per kind beyond the folder (kinds without an entry need none). */
const KIND_DOCTORS: Readonly<
  Record<string, (card: ModelCard, options: DoctorOptions) => Promise<DoctorCheck[]>>
> = {
  'flux-kontext-lora': fluxDoctor,
};

export async function doctorModel(dir: string, options: DoctorOptions = {}): Promise<DoctorReport> {
  let card: ModelCard;
  try {
    card = await readModelCard(dir);
  } catch (err) {
    return {
      ok: false,
      folder: dir,
      checks: [{ name: 'model folder', ok: false, detail: (err as Error).message }],
    };
  }
  const checks: DoctorCheck[] = [
    {
      name: 'model folder',
      ok: true,
      detail: `${card.folder}: "${card.name}", kind ${card.kind}${card.trained ? '' : ' (trained: false: a test fixture, its output is noise)'}`,
    },
  ];
  const extra = KIND_DOCTORS[card.kind];
  if (extra) checks.push(...(await extra(card, options)));
  return { ok: checks.every((c) => c.ok), folder: card.folder, card, checks };
}
