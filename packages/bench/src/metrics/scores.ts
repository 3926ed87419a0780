/**
 * What the evaluators say about one generated image: one entry per instance plus the scene.
 * Produced by `scoreCase` (the built-in evaluators) or read from an external detections file.
 */
import type { Box } from '../eval/box.ts';

export interface InstanceScore {
  /** The box the localiser found for this instance's subject; null when nothing was found. */
  readonly found: Box | null;
  /** Geometric IoU of `found` against the target box (0 when not found). */
  readonly iou: number;
  /** Identity similarity between the reference cutout and the generated crop, 0..100. */
  readonly similarity: number;
  /** Whether the identity check passed. */
  readonly identityPass: boolean;
  /** Whether the generated crop is nearly a pixel copy of the layout image's crop. */
  readonly copyPaste: boolean;
}

export interface CaseScore {
  readonly id: string;
  readonly level: number;
  readonly instances: readonly InstanceScore[];
  /** Whether the background matches the prompt's scene type. */
  readonly sceneMatch: boolean;
  /** The scene the classifier saw (for the report); optional for external scores. */
  readonly scenePredicted?: string;
}
