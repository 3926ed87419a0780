/**
 * The models this server offers. Every process reads the manifests (the API validates
 * requests against their limits); only processes that run generations open the ONNX sessions.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseManifest, type Executor, type ModelManifest } from '@contextgen/core';

export interface ServedModel {
  readonly name: string;
  readonly folder: string;
  readonly manifest: ModelManifest;
  readonly untrained: boolean;
}

export interface RunnableModel extends ServedModel {
  readonly vocab: readonly string[];
  readonly executor: Executor;
}

export function untrainedWarning(name: string): string {
  return `model "${name}" is untrained (model.json says trained: false, random weights): its images are noise and say nothing about ContextGen's quality; serve a trained model for real results`;
}

export async function readServedModel(dir: string): Promise<ServedModel> {
  const folder = resolve(dir);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
  } catch (err) {
    throw new Error(
      `cannot read ${join(folder, 'model.json')} (${(err as Error).message}); pass --model with a folder that holds model.json`,
    );
  }
  const manifest = parseManifest(json, folder);
  return { name: manifest.name, folder, manifest, untrained: !manifest.trained };
}

/**
 * Reads every model folder; refuses untrained models unless allowed, and duplicate names.
 * @throws Error naming the folder and the fix
 */
export async function readServedModels(
  dirs: readonly string[],
  allowUntrained: boolean,
): Promise<ServedModel[]> {
  if (dirs.length === 0)
    throw new Error('no model to serve; pass --model DIR (a folder with model.json)');
  const models = await Promise.all(dirs.map(readServedModel));
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

/** Opens the ONNX sessions of each model (worker processes only). */
export async function openModels(
  models: readonly ServedModel[],
): Promise<Map<string, RunnableModel>> {
  const { loadModel } = await import('@contextgen/runtime');
  const out = new Map<string, RunnableModel>();
  for (const m of models) {
    const loaded = await loadModel(m.folder);
    out.set(m.name, { ...m, vocab: loaded.vocab, executor: loaded.executor });
  }
  return out;
}
