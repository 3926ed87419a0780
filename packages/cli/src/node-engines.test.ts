/**
 * "Node 20.19 or newer" (README, package.json engines) must stay true: every package in
 * package-lock.json has to accept Node 20.19, or `npm ci` warns EBADENGINE and the package may
 * break at run time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PKG } from './cli-fixtures.test-util.ts';

const ROOT = join(CLI_PKG, '..', '..');
const OLDEST = [20, 19, 0] as const;

type Version = readonly [number, number, number];

function cmp(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** A partial version "20", "20.9", "20.9.0" or with x: its lower bound and how many parts were given. */
function parse(text: string): { v: Version; parts: number } {
  const nums = text
    .replace(/^v/, '')
    .split('.')
    .filter((p) => p !== '' && !/^[x*]$/i.test(p));
  const v = [0, 1, 2].map((i) => Number(nums[i] ?? 0)) as unknown as Version;
  if (v.some((n) => !Number.isInteger(n))) throw new Error(`cannot read version "${text}"`);
  return { v, parts: nums.length };
}

/** Whether `version` satisfies one comparator of a semver range (the forms npm engines use). */
function comparator(version: Version, c: string): boolean {
  if (c === '*' || c === '' || /^x$/i.test(c)) return true;
  const m = /^(>=|<=|>|<|=|\^|~)?\s*(.+)$/.exec(c)!;
  const op = m[1] ?? '';
  const { v, parts } = parse(m[2]!);
  const d = cmp(version, v);
  const upper = (i: number): Version =>
    i === 0 ? [v[0] + 1, 0, 0] : i === 1 ? [v[0], v[1] + 1, 0] : [v[0], v[1], v[2] + 1];
  switch (op) {
    case '>=':
      return d >= 0;
    case '>':
      return d > 0;
    case '<=':
      return d <= 0;
    case '<':
      return d < 0;
    case '^':
      return d >= 0 && cmp(version, upper(v[0] > 0 || parts === 1 ? 0 : 1)) < 0;
    case '~':
      return d >= 0 && cmp(version, upper(parts === 1 ? 0 : 1)) < 0;
    default:
      return d >= 0 && cmp(version, upper(Math.min(parts, 3) - 1)) < 0;
  }
}

function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alt) =>
    alt
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .every((c) => comparator(version, c)),
  );
}

test('the range reader understands the forms npm packages use', () => {
  assert.equal(satisfies(OLDEST, '>=20.19'), true);
  assert.equal(satisfies(OLDEST, '>=22'), false);
  assert.equal(satisfies(OLDEST, '^20.19.0 || >=22.12.0'), true);
  assert.equal(satisfies([20, 18, 0], '^20.19.0 || >=22.12.0'), false);
  assert.equal(satisfies(OLDEST, '18 || 20 || >=22'), true);
  assert.equal(satisfies(OLDEST, '^18.18.0 || ^20.9.0 || >=21.1.0'), true);
  assert.equal(satisfies(OLDEST, '>= 0.6'), true);
  assert.equal(satisfies(OLDEST, '20.x'), true);
  assert.equal(satisfies(OLDEST, '~20.18.0'), false);
});

test('every installed package accepts the oldest Node the project states (20.19)', () => {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    engines: { node: string };
  };
  assert.equal(root.engines.node, '>=20.19');
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };
  const refusing = Object.entries(lock.packages)
    .filter(([, p]) => {
      const node = Array.isArray(p.engines) ? undefined : p.engines?.node;
      return node !== undefined && !satisfies(OLDEST, node);
    })
    .map(
      ([path, p]) =>
        `${path.replace(/^.*node_modules\//, '')}@${p.version} wants node ${(p.engines as { node: string }).node}`,
    );
  assert.deepEqual(
    refusing,
    [],
    'pin versions that support Node 20.19 or change the stated version',
  );
});
