/** Exit codes and the mapping from errors to what the user sees. */

export const EXIT = {
  ok: 0,
  /** Unexpected failure (a bug or the runtime). */
  failure: 1,
  /** Bad input: usage, request, images, model folder. */
  badInput: 2,
  /** The model is untrained (a test fixture): no result is presented. */
  untrainedModel: 3,
} as const;

/** Wrong command-line usage: the message says what to type instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A file named on the command line that cannot be used (missing, not JSON, wrong kind). */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
}

/** The resolved model is marked `trained: false`. */
export class UntrainedModelError extends Error {
  override readonly name = 'UntrainedModelError';
}

/** A subcommand whose package is not installed or does not export its function yet. */
export class NotAvailableError extends Error {
  override readonly name = 'NotAvailableError';
}

/** Errors whose message is written for the user (their input was wrong). */
const INPUT_ERRORS = new Set([
  'UsageError',
  'InputFileError',
  'RequestError',
  'ImageInputError',
  'ModelNotFoundError',
  'ModelFolderError',
  'ManifestError',
  'ModelIoError',
  'NotAvailableError',
  'ArgsError',
  'OutputFileError',
]);

export interface ReportedError {
  readonly message: string;
  readonly code: number;
}

/** What to print for an error and which exit code to use. */
export function reportError(err: unknown, debug = false): ReportedError {
  if (!(err instanceof Error)) return { message: `error: ${String(err)}`, code: EXIT.failure };
  if (err.name === 'UntrainedModelError')
    return { message: err.message, code: EXIT.untrainedModel };
  if (
    err.name === 'ModelNotFoundError' &&
    (err as { reason?: string }).reason === 'not-installed'
  ) {
    return { message: `error: ${err.message}`, code: EXIT.untrainedModel };
  }
  if (INPUT_ERRORS.has(err.name)) return { message: `error: ${err.message}`, code: EXIT.badInput };
  const detail = debug ? (err.stack ?? err.message) : err.message;
  return {
    message: `error: ${detail}${debug ? '' : '\n(set CONTEXTGEN_DEBUG=1 for the stack trace)'}`,
    code: EXIT.failure,
  };
}

/** Run `fn`; a RequestError it throws gets the request file's name in front of its field. */
export async function inRequestFile<T>(file: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error && err.name === 'RequestError')
      err.message = `${file}: ${err.message}`;
    throw err;
  }
}
