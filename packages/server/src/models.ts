/**
 * The models this server offers. Every process reads the model cards (the API validates
 * requests against their limits); only processes that run generations open the models
 * (`Generator`s, any kind @contextgen/runtime knows).
 */
import type { Generator, ModelCard } from '@contextgen/core';
import { openGenerator, readModelCard } from '@contextgen/runtime';

export interface ServedModel {
  readonly name: string;
  readonly folder: string;
  /** The model's card (limits, defaults, trained flag), whatever its kind. */
  readonly manifest: ModelCard;
  readonly untrained: boolean;
}

export interface RunnableModel extends ServedModel {
  readonly generator: Generator;
}

export function untrainedWarning(name: string): string {
  return `model "${name}" is untrained (model.json says trained: false, random weights): its images are noise and say nothing about ContextGen's quality; serve a trained model for real results`;
}

/** @param checkFiles false in API-only processes: they never load the weights (other machines do). */
export async function readServedModel(dir: string, checkFiles = true): Promise<ServedModel> {
  const card = await readModelCard(dir, { checkFiles });
  return { name: card.name, folder: card.folder, manifest: card, untrained: !card.trained };
}

/**
 * Reads every model folder; refuses untrained models unless allowed, and duplicate names.
 * @throws Error naming the folder and the fix
 */
export async function readServedModels(
  dirs: readonly string[],
  allowUntrained: boolean,
  checkFiles = true,
): Promise<ServedModel[]> {
  if (dirs.length === 0)
    throw new Error('no model to serve; pass --model DIR (a folder with model.json)');
  const models = await Promise.all(dirs.map((d) => readServedModel(d, checkFiles)));
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.name))
      throw new Error(`two model folders are both named "${m.name}"; serve each model once`);
    seen.add(m.name);
    if (m.untrained && !allowUntrained) {
      throw new Error(
        `model "${m.name}" in ${m.folder} is untrained (model.json says trained: false; random weights for tests). ` +
          'Serve a trained model, or pass --allow-untrained to serve it anyway with every result flagged untrained.',
      );
    }
  }
  return models;
}

/**
 * Opens each model (worker processes only); untrained ones were refused or allowed by
 * `readServedModels`. `stepDelayMs` slows every step (tests and demos of progress).
 */
export async function openModels(
  models: readonly ServedModel[],
  stepDelayMs = 0,
): Promise<Map<string, RunnableModel>> {
  const out = new Map<string, RunnableModel>();
  try {
    for (const m of models) {
      const generator = await openGenerator(m.manifest, { allowUntrained: true, stepDelayMs });
      out.set(m.name, { ...m, generator });
    }
  } catch (err) {
    for (const r of out.values()) await r.generator.dispose();
    throw err;
  }
  return out;
}
