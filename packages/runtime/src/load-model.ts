/** Load a model folder (model.json + ONNX files) into an ONNX Runtime executor, on Node. */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { parseManifest, type ModelManifest } from '@contextgen/core';
import { nodeExecutionProviders } from './backend.ts';
import { openModel, type LoadedModel } from './ort-executor.ts';
import { parseVocab } from './vocab.ts';

export interface NodeLoadOptions {
  /** Intra-op threads (default: all cores, at most 8). */
  readonly threads?: number;
  readonly device?: string;
}

export class ModelFolderError extends Error {
  override readonly name = 'ModelFolderError';
}

/** What to tell the user when a model folder's JSON file cannot be read, or is not JSON. */
export interface JsonFixes {
  readonly unreadable: string;
  readonly invalid: string;
}

const MODEL_FILE_FIXES: JsonFixes = {
  unreadable: 'a model folder holds model.json, its vocab and ONNX files',
  invalid: 're-export the model',
};

/**
 * A model folder's JSON file, parsed.
 * @throws ModelFolderError naming the file, what went wrong and `fixes`
 */
export async function readModelFolderJson(
  path: string,
  what: string,
  fixes: JsonFixes = MODEL_FILE_FIXES,
): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFolderError(
      `${path}: cannot read ${what} (${code ?? String(err)}); ${fixes.unreadable}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelFolderError(
      `${path}: ${what} is not valid JSON (${(err as Error).message}); ${fixes.invalid}`,
    );
  }
}

/** Files named by the manifest that are missing from the folder. */
export function missingFiles(dir: string, manifest: ModelManifest): string[] {
  const named = [manifest.files.textEncoder, manifest.files.denoiser, manifest.tokenizer.vocab];
  return named.filter((f) => !existsSync(join(dir, f)));
}

/** A model folder's manifest and vocabulary, read and checked without opening ONNX sessions. */
export interface ModelInfo {
  readonly folder: string;
  readonly manifest: ModelManifest;
  readonly vocab: string[];
}

/**
 * Read and check model.json, the files it names and the vocabulary (no sessions: cheap).
 * @throws ModelFolderError / ManifestError naming the folder, the file and the fix
 */
export async function readModelInfo(dir: string): Promise<ModelInfo> {
  const folder = resolve(dir);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ModelFolderError(
      `model folder ${folder} does not exist; pass --model with a folder that holds model.json`,
    );
  }
  const manifest = parseManifest(
    await readModelFolderJson(join(folder, 'model.json'), 'model.json'),
    folder,
  );
  const missing = missingFiles(folder, manifest);
  if (missing.length > 0) {
    throw new ModelFolderError(
      `model "${manifest.name}" in ${folder} lacks ${missing.join(', ')} named in model.json; copy the complete folder or re-export it`,
    );
  }
  const vocabPath = join(folder, manifest.tokenizer.vocab);
  const vocab = parseVocab(await readModelFolderJson(vocabPath, 'the vocabulary'), vocabPath);
  return { folder, manifest, vocab };
}

/** Read model.json, check the files, open both sessions and check their I/O names. */
export async function loadModel(dir: string, options: NodeLoadOptions = {}): Promise<LoadedModel> {
  const { folder, manifest, vocab } = await readModelInfo(dir);
  const threads = options.threads ?? Math.min(8, availableParallelism());
  if (!Number.isInteger(threads) || threads < 1) {
    throw new ModelFolderError(`threads (--threads) must be a whole number >= 1, got ${threads}`);
  }
  return openModel(
    ort,
    manifest,
    vocab,
    {
      label: folder,
      textEncoder: join(folder, manifest.files.textEncoder),
      denoiser: join(folder, manifest.files.denoiser),
    },
    {
      executionProviders: nodeExecutionProviders(options.device ?? 'cpu'),
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    },
  );
}
