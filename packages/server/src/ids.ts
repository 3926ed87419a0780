/**
 * Server-side ids. Every name that reaches the file system is one of these, generated here
 * and checked against a strict pattern, so no client string can walk a path.
 */
import { randomBytes } from 'node:crypto';

export type IdKind = 'upl' | 'job';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const BODY_LENGTH = 20; // 100 bits

export const ID_PATTERNS: Record<IdKind, RegExp> = {
  upl: /^upl_[a-z2-7]{20}$/,
  job: /^job_[a-z2-7]{20}$/,
};

/** The pattern as a JSON-schema string, for route parameter schemas. */
export const ID_PATTERN_SOURCE: Record<IdKind, string> = {
  upl: ID_PATTERNS.upl.source,
  job: ID_PATTERNS.job.source,
};

export function newId(kind: IdKind): string {
  const bytes = randomBytes(BODY_LENGTH);
  let body = '';
  for (const b of bytes) body += ALPHABET[b & 31];
  return `${kind}_${body}`;
}

export function isId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERNS[kind].test(value);
}
