/**
 * A bench set: a fixed list of cases, each an explicit layout (scene, identities, boxes) and
 * a seed. Images are never stored: the dataset renderer turns a case into its ground truth,
 * references and layout image, and the model uses the same seed for its noise.
 */
import { z } from 'zod';

const box = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .refine((b) => b[2] > b[0] && b[3] > b[1], { message: 'box must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1' });

export const BenchInstanceSchema = z.object({
  identity: z.string().min(1),
  box,
});

export const BenchCaseSchema = z.object({
  id: z.string().min(1),
  level: z.int().min(1).max(30),
  scene: z.string().min(1),
  seed: z.int().min(0).max(0xffffffff),
  instances: z.array(BenchInstanceSchema).min(1),
});

export const BenchSetSchema = z.object({
  format: z.literal('contextgen-bench-set/1'),
  name: z.string().min(1),
  description: z.string(),
  size: z.int().positive(),
  identities: z.enum(['heldout', 'train']),
  generator: z.object({ script: z.string(), seed: z.int() }),
  cases: z.array(BenchCaseSchema),
});

export type BenchInstance = z.infer<typeof BenchInstanceSchema>;
export type BenchCase = z.infer<typeof BenchCaseSchema>;
export type BenchSet = z.infer<typeof BenchSetSchema>;
