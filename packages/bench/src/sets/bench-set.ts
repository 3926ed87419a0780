/**
 * A bench set: a fixed list of cases. A case is a seed plus the explicit layout it renders to
 * (scene, identities, boxes); images are never stored. The IMIG-Synth renderer turns
 * (render seed, split, sample id, level, identity pool) into the ground truth, references
 * and layout image; the stored layout is checked against every render, so a renderer change
 * cannot silently change the benchmark.
 */
import { z } from 'zod';

const box = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .refine((b) => b[2] > b[0] && b[3] > b[1], {
    message: 'box must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1',
  });

export const BenchInstanceSchema = z.object({
  identity: z.string().min(1),
  box,
});

export const BenchCaseSchema = z.object({
  id: z.string().min(1),
  level: z.int().min(1).max(30),
  /** Renderer sample id (with the set's render seed and split). */
  sampleId: z.int().min(0),
  /** Noise seed for the model. */
  seed: z.int().min(0).max(0xffffffff),
  scene: z.string().min(1),
  caption: z.string(),
  instances: z.array(BenchInstanceSchema).min(1),
});

export const BenchSetSchema = z.object({
  format: z.literal('contextgen-bench-set/1'),
  name: z.string().min(1),
  description: z.string(),
  /** Which identities the cases draw from. */
  identities: z.enum(['heldout', 'train']),
  render: z.object({
    size: z.int().positive(),
    refSize: z.int().positive(),
    seed: z.int().min(0),
    split: z.string().min(1),
  }),
  /** The rule the cases were selected by, and the script that wrote the file. */
  selection: z.object({ maxOccluded: z.number(), script: z.string() }),
  cases: z.array(BenchCaseSchema),
});

export type BenchInstance = z.infer<typeof BenchInstanceSchema>;
export type BenchCase = z.infer<typeof BenchCaseSchema>;
export type BenchSet = z.infer<typeof BenchSetSchema>;

/**
 * The first `limit` cases taken evenly across levels (round robin over levels, each level in
 * id order), so a limited run still covers every level. The result keeps the set's order.
 */
export function limitCases(cases: readonly BenchCase[], limit: number | undefined): BenchCase[] {
  if (limit === undefined || limit >= cases.length) return cases.slice();
  const byLevel = new Map<number, BenchCase[]>();
  for (const c of cases) byLevel.set(c.level, [...(byLevel.get(c.level) ?? []), c]);
  const lists = [...byLevel.values()];
  const keep = new Set<BenchCase>();
  for (let k = 0; keep.size < limit; k++) {
    for (const l of lists) if (l[k] && keep.size < limit) keep.add(l[k]!);
  }
  return cases.filter((c) => keep.has(c));
}
