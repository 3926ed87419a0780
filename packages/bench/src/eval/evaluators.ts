/**
 * The built-in evaluators applied to one generated image: localisation, identity, copy-paste
 * and scene. Their fitted parameters (identity threshold, scene centroids) are data, read
 * from bench/evaluators/calibration.json, produced by `bench calibrate` on training identities.
 */
import { z } from 'zod';
import type { Raster } from '../image/raster.ts';
import type { CaseScore, InstanceScore } from '../metrics/scores.ts';
import type { Box } from './box.ts';
import { iou } from './box.ts';
import { copyPaste, DEFAULT_COPY_PASTE } from './copy-paste.ts';
import { alignedCrop, cutoutCrop, identitySimilarity } from './identity.ts';
import { DEFAULT_LOCALISE, ImagePyramid, localise } from './localise.ts';
import { backgroundFeatures, classifyScene } from './scene.ts';
import type { SceneModel } from './scene.ts';
import { cutoutOf } from './template.ts';

/** Cutouts are shrunk to this side before matching (cheap, and finer than 128 px renders need). */
export const CUTOUT_SIDE = 32;

export const CalibrationSchema = z.object({
  format: z.literal('contextgen-bench-calibration/1'),
  identityThreshold: z.number(),
  scene: z.object({
    features: z.string(),
    scenes: z.array(z.string()),
    centroids: z.array(z.array(z.number())),
    scale: z.array(z.number()),
  }),
  copyPaste: z.object({ minNcc: z.number(), maxMad: z.number() }),
  provenance: z.record(z.string(), z.unknown()),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

export interface CaseImages {
  readonly id: string;
  readonly level: number;
  readonly scene: string;
  readonly boxes: readonly Box[];
  /** RGBA references, alpha = mask, one per instance. */
  readonly references: readonly Raster[];
  /** The image to score (RGB). */
  readonly generated: Raster;
  /** The layout image (RGB, empty = 128). */
  readonly layout: Raster;
}

export interface InstanceDetail extends InstanceScore {
  readonly matchScore: number;
}

/** Localise + identity for one instance with a given reference (used for swaps in validation too). */
export function scoreInstance(
  pyramid: ImagePyramid,
  reference: Raster,
  box: Box,
  threshold: number,
): { found: Box; iou: number; similarity: number; identityPass: boolean; matchScore: number } {
  const cut = cutoutOf(reference, CUTOUT_SIDE);
  const loc = localise(pyramid, cut, box, DEFAULT_LOCALISE);
  const sim = identitySimilarity(cutoutCrop(cut), alignedCrop(pyramid.image, cut, loc.placement));
  return {
    found: loc.box,
    iou: iou(loc.box, box),
    similarity: sim.similarity,
    identityPass: sim.similarity >= threshold,
    matchScore: loc.score,
  };
}

export function scoreCase(images: CaseImages, cal: Calibration): CaseScore & { instances: InstanceDetail[] } {
  const pyramid = new ImagePyramid(images.generated);
  const instances = images.boxes.map((box, j) => {
    const s = scoreInstance(pyramid, images.references[j]!, box, cal.identityThreshold);
    const cp = copyPaste(images.generated, images.layout, box, cal.copyPaste ?? DEFAULT_COPY_PASTE);
    return { ...s, copyPaste: cp.copy };
  });
  const scenePredicted = classifyScene(cal.scene as SceneModel, backgroundFeatures(images.generated, images.boxes));
  return {
    id: images.id,
    level: images.level,
    instances,
    sceneMatch: scenePredicted === images.scene,
    scenePredicted,
  };
}
