/** Parsing of numeric command-line options, with messages naming the option and its range. */
import { GUIDANCE_RANGE, MAX_SEED, STEPS_RANGE } from '@contextgen/core';
import { UsageError } from './errors.ts';

function parseNumber(
  option: string,
  value: string,
  integer: boolean,
  min: number,
  max: number,
): number {
  const n = Number(value);
  const kind = integer ? 'a whole number' : 'a number';
  if (
    value.trim() === '' ||
    !Number.isFinite(n) ||
    (integer && !Number.isInteger(n)) ||
    n < min ||
    n > max
  ) {
    throw new UsageError(`${option} must be ${kind} in ${min}..${max}, got "${value}"`);
  }
  return n;
}

export const parseSeed = (v: string): number => parseNumber('--seed', v, true, 0, MAX_SEED);
export const parseSteps = (v: string): number =>
  parseNumber('--steps', v, true, STEPS_RANGE[0], STEPS_RANGE[1]);
export const parseGuidance = (v: string): number =>
  parseNumber('--guidance', v, false, GUIDANCE_RANGE[0], GUIDANCE_RANGE[1]);
export const parseThreads = (v: string): number => parseNumber('--threads', v, true, 1, 256);

/** Parse `value` with `parse` when the option was given. */
export function optional<T>(value: string | undefined, parse: (v: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}
