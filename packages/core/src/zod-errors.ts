/** Turns zod issues into one-line, field-named messages for users. */
import type { z } from 'zod';

/** Dotted/indexed path of an issue: `instances[2].box`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

/** `field: message` for one zod issue. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  return `${issuePath(issue.path)}: ${issue.message}`;
}
