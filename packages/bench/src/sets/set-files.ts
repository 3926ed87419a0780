/** Reading and writing bench/sets/<name>.json. */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSet } from './bench-set.ts';
import { BenchSetSchema } from './bench-set.ts';

export const SETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../bench/sets');

/** `name` is a set name in bench/sets or a path to a set file. */
export function loadSet(name: string, dir: string = SETS_DIR): BenchSet {
  const path = name.endsWith('.json') ? resolve(name) : join(dir, `${name}.json`);
  if (!existsSync(path)) {
    const known = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.slice(0, -5))
      : [];
    throw new Error(
      `bench set "${name}" not found (${path}); known sets: ${known.join(', ') || 'none, run "bench make-sets"'}`,
    );
  }
  const parsed = BenchSetSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(
      `${path}: ${i.path.join('.')}: ${i.message}; regenerate it with "bench make-sets"`,
    );
  }
  return parsed.data;
}

/** Compact JSON: one case per line. */
export function writeSet(set: BenchSet, dir: string = SETS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${set.name}.json`);
  const { cases, ...head } = set;
  const body = cases.map((c) => JSON.stringify(c)).join(',\n');
  const text = `${JSON.stringify(head, null, 1).slice(0, -2)},\n "cases": [\n${body}\n]}\n`;
  writeFileSync(path, text);
  return path;
}

export function ensureDir(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
}
