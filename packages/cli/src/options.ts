/** Parsing of the generation options' values, with messages naming the option and its range. */
import {
  GUIDANCE_RANGE,
  MAX_SEED,
  parseIntegerArg,
  parseNumberArg,
  STEPS_RANGE,
} from '@contextgen/core';

/** `--seed`: a whole number, or `-1` / `random` for a fresh random seed (printed after the run). */
export type SeedChoice = number | 'random';

export function parseSeed(v: string): SeedChoice {
  if (v === '-1' || v.toLowerCase() === 'random') return 'random';
  return parseIntegerArg('--seed', v, 0, MAX_SEED);
}
export const parseSteps = (v: string): number =>
  parseIntegerArg('--steps', v, STEPS_RANGE[0], STEPS_RANGE[1]);
export const parseGuidance = (v: string): number =>
  parseNumberArg('--guidance', v, GUIDANCE_RANGE[0], GUIDANCE_RANGE[1]);
export const parseThreads = (v: string): number => parseIntegerArg('--threads', v, 1, 256);

/** Parse `value` with `parse` when the option was given. */
export function optional<T>(value: string | undefined, parse: (v: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}
