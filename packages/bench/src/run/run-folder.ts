/**
 * The layout of a run folder:
 *   run.json            what ran (set, model, calibration), written first
 *   cases/<id>.json     one finished case: definition, generation, scores
 *   images/<id>.png     the generated (or reference-row) image
 * A case counts as finished when its JSON exists and parses; a run resumes by skipping those.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BenchCaseSchema } from '../sets/bench-set.ts';

export const RunInfoSchema = z.object({
  format: z.literal('contextgen-bench-run/1'),
  set: z.string(),
  setIdentities: z.enum(['heldout', 'train']),
  model: z.string(),
  kind: z.enum(['reference-row', 'model']),
  trained: z.boolean(),
  info: z.record(z.string(), z.unknown()),
  calibration: z.record(z.string(), z.unknown()),
  started: z.string(),
});
export type RunInfo = z.infer<typeof RunInfoSchema>;

const boxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const CaseRecordSchema = z.object({
  case: BenchCaseSchema,
  image: z.string(),
  seed: z.int(),
  ms: z.number(),
  score: z.object({
    id: z.string(),
    level: z.int(),
    sceneMatch: z.boolean(),
    scenePredicted: z.string().optional(),
    instances: z.array(
      z.object({
        found: boxSchema.nullable(),
        iou: z.number(),
        similarity: z.number(),
        identityPass: z.boolean(),
        copyPaste: z.boolean(),
        matchScore: z.number().optional(),
        features: z.array(z.number()).optional(),
      }),
    ),
  }),
});
export type CaseRecord = z.infer<typeof CaseRecordSchema>;

export function casePath(out: string, id: string): string {
  return join(out, 'cases', `${id}.json`);
}

export function imagePath(out: string, id: string): string {
  return join(out, 'images', `${id}.png`);
}

export function prepareRunFolder(out: string): void {
  mkdirSync(join(out, 'cases'), { recursive: true });
  mkdirSync(join(out, 'images'), { recursive: true });
}

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value)}\n`);
  renameSync(tmp, path);
}

export function readRunInfo(out: string): RunInfo | null {
  const path = join(out, 'run.json');
  if (!existsSync(path)) return null;
  const parsed = RunInfoSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`${path} is not a bench run description; use an empty --out folder`);
  return parsed.data;
}

/** A finished case, or null when it is missing or unreadable (it will be redone). */
export function readCaseRecord(out: string, id: string): CaseRecord | null {
  const path = casePath(out, id);
  if (!existsSync(path)) return null;
  try {
    const parsed = CaseRecordSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Every finished case of a run folder, in file-name order. */
export function readAllCases(out: string): CaseRecord[] {
  const dir = join(out, 'cases');
  if (!existsSync(dir))
    throw new Error(
      `${out} has no cases/ folder; is it a bench run folder (bench run --out ${out})?`,
    );
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readCaseRecord(out, f.slice(0, -5)))
    .filter((r): r is CaseRecord => r !== null);
}
