/**
 * Default model resolution: `--model DIR|NAME` > `CONTEXTGEN_MODEL` > `models/<DEFAULT_MODEL>`
 * in the repository > an error saying no trained model is installed and how to get one.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shipped embedded model's folder name under `models/`. */
export const DEFAULT_MODEL = 'embedded';

/** The repository root, found from this package's location (packages/runtime/src). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const MODELS_DIR = join(REPO_ROOT, 'models');

export const HOW_TO_GET_A_MODEL =
  'To get one: train and export the embedded model (scripts/gpu/train-embedded.sh on a GPU machine, or ' +
  '`python -m contextgen_train.train` then `python -m contextgen_train.export`) into models/' +
  DEFAULT_MODEL +
  ', or pass --model DIR / set CONTEXTGEN_MODEL to an existing model folder (one with model.json).';

export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
  constructor(
    message: string,
    /** `not-installed`: no model was asked for and the default is absent; `bad-choice`: the named one is unusable. */
    readonly reason: 'not-installed' | 'bad-choice' = 'bad-choice',
  ) {
    super(message);
  }
}

export interface ModelLookup {
  /** `--model` value (or a request's `model`): a folder path or a folder name under models/. */
  readonly model?: string;
  /** `process.env.CONTEXTGEN_MODEL`. */
  readonly env?: string;
  readonly modelsDir?: string;
  /** Base for relative paths (default: process.cwd()). */
  readonly cwd?: string;
  /** What `model` came from, for error messages (default: `--model`). */
  readonly origin?: string;
}

function isModelFolder(dir: string): boolean {
  return existsSync(join(dir, 'model.json'));
}

/** Folders under `modelsDir` that hold a model.json. */
export function installedModels(modelsDir: string = MODELS_DIR): string[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir)
    .filter((n) => {
      const p = join(modelsDir, n);
      return statSync(p).isDirectory() && isModelFolder(p);
    })
    .sort();
}

function resolveOne(value: string, origin: string, modelsDir: string, cwd: string): string {
  const looksLikePath =
    value.includes('/') || value.includes(sep) || value.startsWith('.') || isAbsolute(value);
  const asPath = resolve(cwd, value);
  if (looksLikePath || existsSync(asPath)) {
    if (!existsSync(asPath))
      throw new ModelNotFoundError(
        `${origin} "${value}": folder ${asPath} does not exist. ${HOW_TO_GET_A_MODEL}`,
      );
    if (!isModelFolder(asPath))
      throw new ModelNotFoundError(
        `${origin} "${value}": ${asPath} has no model.json, so it is not a model folder. ${HOW_TO_GET_A_MODEL}`,
      );
    return asPath;
  }
  const named = join(modelsDir, value);
  if (isModelFolder(named)) return named;
  const have = installedModels(modelsDir);
  throw new ModelNotFoundError(
    `${origin} "${value}": no such folder, and no model named "${value}" in ${modelsDir} (installed: ${have.join(', ') || 'none'}). ${HOW_TO_GET_A_MODEL}`,
  );
}

/**
 * The model folder to load.
 * @throws ModelNotFoundError naming what was looked for, where, and how to get a model
 */
export function findModel(lookup: ModelLookup = {}): string {
  const modelsDir = lookup.modelsDir ?? MODELS_DIR;
  const cwd = lookup.cwd ?? process.cwd();
  if (lookup.model !== undefined && lookup.model !== '')
    return resolveOne(lookup.model, lookup.origin ?? '--model', modelsDir, cwd);
  if (lookup.env !== undefined && lookup.env !== '')
    return resolveOne(lookup.env, 'CONTEXTGEN_MODEL', modelsDir, cwd);
  const fallback = join(modelsDir, DEFAULT_MODEL);
  if (isModelFolder(fallback)) return fallback;
  const have = installedModels(modelsDir);
  throw new ModelNotFoundError(
    `no trained model is installed: ${fallback} has no model.json` +
      (have.length > 0
        ? ` (other model folders there: ${have.join(', ')}; pick one with --model NAME)`
        : '') +
      `. ${HOW_TO_GET_A_MODEL}`,
    'not-installed',
  );
}
