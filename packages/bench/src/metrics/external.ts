/**
 * Externally computed detections and scores (e.g. a public benchmark's detector and identity
 * model), in `contextgen-bench-external/1` JSON (see packages/bench/README.md). Each given
 * field replaces the built-in evaluator's value for that instance; IoU is recomputed from
 * an external box against the case's target box.
 */
import { z } from 'zod';
import type { Box } from '../eval/box.ts';
import { iou } from '../eval/box.ts';
import type { BenchCase } from '../sets/bench-set.ts';
import type { CaseScore, InstanceScore } from './scores.ts';

const boxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const ExternalScoresSchema = z.object({
  format: z.literal('contextgen-bench-external/1'),
  /** Who computed the scores, e.g. "grounding-dino + dinov2". */
  evaluator: z.string().min(1),
  cases: z.record(
    z.string(),
    z.object({
      instances: z.array(
        z.object({
          box: boxSchema.nullable().optional(),
          similarity: z.number().min(0).max(100).optional(),
          identityPass: z.boolean().optional(),
          copyPaste: z.boolean().optional(),
        }),
      ),
      sceneMatch: z.boolean().optional(),
    }),
  ),
});
export type ExternalScores = z.infer<typeof ExternalScoresSchema>;

export function parseExternalScores(json: unknown, source: string): ExternalScores {
  const parsed = ExternalScoresSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(
      `${source}: ${i.path.join('.') || '(root)'}: ${i.message} (format: packages/bench/README.md, "External scores")`,
    );
  }
  return parsed.data;
}

/** The case's score with the external values applied; unchanged when the case is not listed. */
export function applyExternal(
  c: BenchCase,
  builtIn: CaseScore,
  ext: ExternalScores,
  source: string,
): CaseScore {
  const e = ext.cases[c.id];
  if (!e) return builtIn;
  if (e.instances.length !== c.instances.length) {
    throw new Error(
      `${source}: cases.${c.id} has ${e.instances.length} instances but the case has ${c.instances.length}; list them in the set's instance order`,
    );
  }
  const instances: InstanceScore[] = builtIn.instances.map((s, j) => {
    const x = e.instances[j]!;
    const target = c.instances[j]!.box as unknown as Box;
    const found = x.box === undefined ? s.found : x.box === null ? null : (x.box as unknown as Box);
    return {
      found,
      iou: x.box === undefined ? s.iou : found ? iou(found, target) : 0,
      similarity: x.similarity ?? s.similarity,
      identityPass: x.identityPass ?? s.identityPass,
      copyPaste: x.copyPaste ?? s.copyPaste,
    };
  });
  return { ...builtIn, instances, sceneMatch: e.sceneMatch ?? builtIn.sceneMatch };
}
