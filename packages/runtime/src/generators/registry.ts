/**
 * The model kinds and the two entry points every user goes through: `readModelCard` (cheap:
 * model.json and file checks, for validation and listings) and `openGenerator` (loads it).
 * The kind is `model.json`'s `kind` field, `onnx-embedded` when absent.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Generator, ModelCard } from '@contextgen/core';
import { ModelFolderError, readModelFolderJson } from '../load-model.ts';
import { fluxKontextKind } from '../flux/kind.ts';
import type { ModelKind, OpenOptions, ReadCardOptions } from './kind.ts';
import { onnxEmbeddedKind } from './onnx-embedded.ts';

export const DEFAULT_KIND = 'onnx-embedded';

const KINDS: ReadonlyMap<string, ModelKind> = new Map(
  [onnxEmbeddedKind, fluxKontextKind].map((k) => [k.kind, k]),
);

/** The kinds model.json may name. */
export const MODEL_KINDS: readonly string[] = [...KINDS.keys()];

/** The resolved model is marked `trained: false` and running it was not allowed. */
export class UntrainedModelError extends Error {
  override readonly name = 'UntrainedModelError';
}

function readModelJson(folder: string): Promise<unknown> {
  return readModelFolderJson(join(folder, 'model.json'), 'model.json', {
    unreadable: 'a model folder holds model.json and the files it names',
    invalid: 'fix or re-export it',
  });
}

/** The kind named by a parsed model.json. */
export function kindOf(json: unknown, folder: string): ModelKind {
  const named =
    typeof json === 'object' && json !== null && 'kind' in json
      ? (json as { kind: unknown }).kind
      : undefined;
  const name = named === undefined ? DEFAULT_KIND : named;
  const kind = typeof name === 'string' ? KINDS.get(name) : undefined;
  if (kind === undefined) {
    throw new ModelFolderError(
      `model.json in ${folder}: kind ${JSON.stringify(name)} is not one this version runs; use one of ${MODEL_KINDS.join(', ')} (absent means ${DEFAULT_KIND})`,
    );
  }
  return kind;
}

/**
 * Read a model folder's card: model.json checked by its kind, the files it names present.
 * @throws ModelFolderError / ManifestError naming the folder, the file and the fix
 */
export async function readModelCard(
  dir: string,
  options: ReadCardOptions = {},
): Promise<ModelCard> {
  const folder = resolve(dir);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ModelFolderError(
      `model folder ${folder} does not exist; pass --model with a folder that holds model.json`,
    );
  }
  const json = await readModelJson(folder);
  return kindOf(json, folder).readCard(json, folder, options);
}

/**
 * Open a model folder (or an already read card) as a `Generator`.
 * @throws UntrainedModelError for a `trained: false` model unless `allowUntrained`
 */
export async function openGenerator(
  model: string | ModelCard,
  options: OpenOptions = {},
): Promise<Generator> {
  const card = typeof model === 'string' ? await readModelCard(model) : model;
  if (!card.trained && options.allowUntrained !== true) {
    throw new UntrainedModelError(
      `model "${card.name}" in ${card.folder} is marked trained: false (random weights for tests); its output is noise, not a result. ` +
        'Use a trained model, or allow untrained models explicitly (--allow-untrained) to debug the pipeline.',
    );
  }
  const kind = KINDS.get(card.kind);
  if (kind === undefined) throw new ModelFolderError(`unknown model kind "${card.kind}"`);
  return kind.open(card, options);
}
