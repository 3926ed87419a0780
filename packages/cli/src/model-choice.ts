/** Which model folder a command uses: `--model`, else the request's `model`, else the default. */
import type { ModelCard } from '@contextgen/core';
import { findModel, HOW_TO_GET_A_MODEL } from '@contextgen/runtime';
import { UntrainedModelError } from './errors.ts';

/**
 * @param requestPath the request file as the user wrote it: a bad `"model"` field in it is
 *   reported as that file's field, not as the --model option
 */
export function chooseModel(
  option: string | undefined,
  requestModel: unknown,
  requestDir: string,
  requestPath = 'the request file',
): string {
  if (option !== undefined) return findModel({ model: option, env: process.env.CONTEXTGEN_MODEL });
  if (typeof requestModel === 'string' && requestModel !== '') {
    return findModel({
      model: requestModel,
      cwd: requestDir,
      origin: `${requestPath}: field "model" (relative to the request file's folder)`,
    });
  }
  return findModel({ env: process.env.CONTEXTGEN_MODEL });
}

/** Refuse an untrained model (a test fixture) unless explicitly allowed. */
export function assertTrained(card: ModelCard, allowUntrained: boolean): void {
  if (card.trained || allowUntrained) return;
  throw new UntrainedModelError(
    `No trained model is installed: ${card.folder} holds "${card.name}", which its model.json marks ` +
      `trained: false (random weights for tests). Its output is noise, not an image, so nothing was generated.\n` +
      `${HOW_TO_GET_A_MODEL}\n(To exercise the pipeline for debugging anyway, add --allow-untrained.)`,
  );
}
