/**
 * Writes spec/golden/*.json: token-plan golden vectors (spec/CONTRACTS.md section 2) computed
 * with the hand-written dense reference builder (not the descriptor rule), shared by the
 * TypeScript and Python test suites.
 *
 *   npx tsx scripts/gen-golden.ts
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { denseReference } from '../packages/core/src/dense-reference.ts';
import type { PlanInput } from '../packages/core/src/token-plan.ts';

/** A golden case as written: reference validity as one '0'/'1' string per grid row. */
interface GoldenCase {
  name: string;
  description: string;
  input: {
    width: number;
    height: number;
    tokenSize: number;
    textTokens: number;
    phraseTokens: number[];
    boxes: [number, number, number, number][];
    refGrids: ({ h: number; w: number; valid: string[] } | null)[];
  };
}

const full = (h: number, w: number) => ({
  h,
  w,
  valid: Array.from({ length: h }, () => '1'.repeat(w)),
});

const CASES: GoldenCase[] = [
  {
    name: 'single-instance',
    description: 'one box with a fully valid 2x2 reference and a phrase',
    input: {
      width: 32,
      height: 32,
      tokenSize: 8,
      textTokens: 2,
      phraseTokens: [1],
      boxes: [[8, 8, 24, 24]],
      refGrids: [full(2, 2)],
    },
  },
  {
    name: 'no-refs',
    description: 'two boxes, no references, no phrases: masks reduce to text/main/layout',
    input: {
      width: 32,
      height: 24,
      tokenSize: 8,
      textTokens: 3,
      phraseTokens: [0, 0],
      boxes: [
        [0, 0, 16, 16],
        [8, 8, 32, 24],
      ],
      refGrids: [null, null],
    },
  },
  {
    name: 'phrases-only',
    description: 'phrases without references (MIGC-style extension)',
    input: {
      width: 32,
      height: 32,
      tokenSize: 8,
      textTokens: 2,
      phraseTokens: [2, 3],
      boxes: [
        [0, 0, 16, 32],
        [16, 0, 32, 16],
      ],
      refGrids: [null, null],
    },
  },
  {
    name: 'overlap-3',
    description: 'three overlapping boxes, mixed phrases and references (the CONTRACTS example)',
    input: {
      width: 64,
      height: 48,
      tokenSize: 8,
      textTokens: 3,
      phraseTokens: [2, 0, 1],
      boxes: [
        [0, 0, 40, 30],
        [20, 10, 64, 48],
        [5, 5, 15, 15],
      ],
      refGrids: [{ h: 2, w: 3, valid: ['110', '011'] }, full(2, 2), null],
    },
  },
  {
    name: 'nested',
    description: 'a small box inside a large one, both with references',
    input: {
      width: 32,
      height: 32,
      tokenSize: 8,
      textTokens: 2,
      phraseTokens: [1, 1],
      boxes: [
        [0, 0, 32, 32],
        [8, 8, 16, 16],
      ],
      refGrids: [full(2, 1), full(1, 2)],
    },
  },
  {
    name: 'edge-nonmultiple',
    description: 'boxes touching the canvas edge with coordinates that are not multiples of P',
    input: {
      width: 40,
      height: 24,
      tokenSize: 8,
      textTokens: 1,
      phraseTokens: [0, 2],
      boxes: [
        [27, 3, 40, 24],
        [0, 17, 9.5, 24],
      ],
      refGrids: [full(1, 2), { h: 2, w: 2, valid: ['10', '01'] }],
    },
  },
  {
    name: 'seven-instances',
    description: 'seven instances, several overlapping, mixed references and phrases',
    input: {
      width: 32,
      height: 32,
      tokenSize: 8,
      textTokens: 4,
      phraseTokens: [1, 0, 2, 1, 0, 1, 1],
      boxes: [
        [0, 0, 16, 16],
        [8, 0, 24, 8],
        [16, 16, 32, 32],
        [0, 16, 8, 32],
        [4, 4, 28, 28],
        [24, 0, 32, 8],
        [12, 12, 20, 20],
      ],
      refGrids: [
        full(1, 1),
        full(1, 2),
        null,
        { h: 2, w: 1, valid: ['1', '0'] },
        full(1, 1),
        null,
        full(2, 2),
      ],
    },
  },
  {
    name: 'invalid-ref-tokens',
    description: 'references with masked-out (invalid) tokens, including a mostly empty one',
    input: {
      width: 24,
      height: 24,
      tokenSize: 8,
      textTokens: 2,
      phraseTokens: [0, 0],
      boxes: [
        [0, 0, 16, 16],
        [8, 8, 24, 24],
      ],
      refGrids: [
        { h: 3, w: 2, valid: ['01', '11', '10'] },
        { h: 2, w: 2, valid: ['00', '01'] },
      ],
    },
  },
  {
    name: 'non-square',
    description: 'a wide canvas with token size 4 and one tall reference',
    input: {
      width: 48,
      height: 16,
      tokenSize: 4,
      textTokens: 2,
      phraseTokens: [1, 0],
      boxes: [
        [2, 1, 19, 15],
        [30, 0, 48, 16],
      ],
      refGrids: [full(3, 1), full(2, 3)],
    },
  },
];

function toPlanInput(c: GoldenCase): PlanInput {
  return {
    ...c.input,
    refGrids: c.input.refGrids.map((g) =>
      g === null ? null : { h: g.h, w: g.w, valid: g.valid.join('').split('').map(Number) },
    ),
  };
}

/** Readable JSON: one line per scalar array, one mask row per line. */
function serialise(c: GoldenCase): string {
  const exp = denseReference(toPlanInput(c));
  const line = (v: unknown): string => JSON.stringify(v);
  const rows = (r: string[]): string => `[\n      ${r.map(line).join(',\n      ')}\n    ]`;
  return `{
  "name": ${line(c.name)},
  "description": ${line(c.description)},
  "input": ${JSON.stringify(c.input, null, 2)
    .replace(/\n/g, '\n  ')
    .replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, ' ')}]`)},
  "expected": {
    "seg": ${line(exp.seg)},
    "inst": ${line(exp.inst)},
    "cover": ${line(exp.cover)},
    "valid": ${line(exp.valid)},
    "pos": ${line(exp.pos)},
    "cla": ${rows(exp.cla)},
    "ica": ${rows(exp.ica)}
  }
}
`;
}

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'spec', 'golden');
mkdirSync(outDir, { recursive: true });
for (const f of readdirSync(outDir)) if (f.endsWith('.json')) rmSync(join(outDir, f));
for (const c of CASES) {
  const text = serialise(c);
  JSON.parse(text); // the hand formatting must stay valid JSON
  writeFileSync(join(outDir, `${c.name}.json`), text);
}
console.log(`wrote ${CASES.length} golden cases to ${outDir}`);
