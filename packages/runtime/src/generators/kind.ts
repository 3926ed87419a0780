/**
 * What a model kind provides to the registry (`registry.ts`). Adding a kind: write one module
 * exporting a `ModelKind`, add it to `KINDS` in registry.ts, and (optionally) a doctor check.
 */
import type { Generator, ModelCard } from '@contextgen/core';

/** Options for opening any kind; each kind reads the ones it knows. */
export interface OpenOptions {
  /** Run a model marked `trained: false` (debugging only; its output is noise). */
  readonly allowUntrained?: boolean;
  /** ONNX Runtime intra-op threads (onnx-embedded). */
  readonly threads?: number;
  /** Python interpreter for worker-backed kinds (default: CONTEXTGEN_PYTHON, then .venv/bin/python). */
  readonly python?: string;
  /** How long a worker may take to load the model before it is given up, ms. */
  readonly readyTimeoutMs?: number;
  /** Worker device (`cuda`, `cuda:1`, `cpu`); default: the kind's choice. */
  readonly device?: string;
  /** Wait this long after every model step (tests and demos of progress); default 0. */
  readonly stepDelayMs?: number;
}

export interface ReadCardOptions {
  /**
   * Check that the files model.json names exist (default true). API-only server processes
   * pass false: they validate requests against the card and never load the weights.
   */
  readonly checkFiles?: boolean;
}

export interface ModelKind {
  /** The `kind` value in model.json. */
  readonly kind: string;
  /**
   * Check the parsed model.json and the files it names (cheap: no weights are loaded).
   * @throws ModelFolderError / ManifestError naming the folder, the file and the fix
   */
  readCard(json: unknown, folder: string, options?: ReadCardOptions): Promise<ModelCard>;
  /** Load the model. */
  open(card: ModelCard, options: OpenOptions): Promise<Generator>;
}
