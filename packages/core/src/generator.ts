/**
 * The one interface every user of a model goes through (CLI `generate`, the server's job
 * runner, the bench runner, the scripts): a `Generator` is an opened model folder of some
 * kind (the embedded ONNX model, the published FLUX.1-Kontext model, ...). Kinds are
 * registered in packages/runtime (`openGenerator`); this file holds only the shapes, so it
 * stays isomorphic.
 */
import type { ModelLimits, ShiftConfig } from './manifest.ts';
import type { GenerationResult, RequestImages } from './pipeline.ts';
import { requestLimits, validateRequest } from './request.ts';
import type { GenerationRequest, ValidRequest } from './request.ts';
import type { TokenBudgetModel } from './token-budget.ts';
import type { CancelSignal, RgbaImage } from './types.ts';

/** The limits every kind states (kinds may add their own numbers). */
export type CardLimits = Pick<ModelLimits, 'maxInstances' | 'minSide' | 'maxSide' | 'maxTokens'> &
  Readonly<Record<string, number>>;

/** What a model folder says about itself, read from `model.json` without loading weights. */
export interface ModelCard {
  /** The model kind (`model.json` `kind`; `onnx-embedded` when absent). */
  readonly kind: string;
  readonly name: string;
  /** Absolute folder path. */
  readonly folder: string;
  readonly description: string;
  /** False for random-weight fixtures: their output is noise and is never presented as a result. */
  readonly trained: boolean;
  /** Pixels per token side of the main image. */
  readonly tokenSize: number;
  readonly limits: CardLimits;
  readonly sampling: {
    readonly steps: number;
    readonly guidance: number;
    readonly shift: ShiftConfig;
  };
  readonly provenance: Readonly<Record<string, unknown>>;
  /**
   * How the kind counts a request's tokens before anything is decoded (`requestTokenCount`),
   * when it can: the server refuses over-budget submits and publishes runnable canvas limits
   * with it. Absent: the kind checks its budget when it plans the job.
   */
  readonly tokenBudget?: TokenBudgetModel;
}

/** One progress report: the step just finished and, when asked for and given, a preview. */
export interface GeneratorProgress {
  readonly step: number;
  readonly total: number;
  readonly preview?: RgbaImage;
}

export interface GeneratorRunOptions {
  /** Aborting rejects the run with `CancelledError` (between steps). */
  readonly signal?: CancelSignal;
  readonly onProgress?: (p: GeneratorProgress) => void;
  /** Ask for previews in progress reports (models that cannot make them ignore this). */
  readonly previews?: boolean;
}

/** An opened model. */
export interface Generator {
  readonly card: ModelCard;
  /** Validate a request against this model's limits; throws RequestError. */
  validate(request: unknown): { request: ValidRequest; warnings: string[] };
  /**
   * Generate one image. Throws RequestError for bad input, CancelledError when aborted, and
   * an error naming the cause when the model fails (the generator stays usable afterwards).
   */
  generate(
    request: GenerationRequest,
    images: RequestImages,
    options?: GeneratorRunOptions,
  ): Promise<GenerationResult>;
  /** Releases the model (sessions, worker processes). Idempotent. */
  dispose(): Promise<void>;
}

/** Validate a request against a card: what `Generator.validate` does for every kind. */
export function validateForCard(
  card: ModelCard,
  request: unknown,
): { request: ValidRequest; warnings: string[] } {
  return validateRequest(request, requestLimits(card));
}
