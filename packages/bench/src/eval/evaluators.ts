/**
 * The built-in evaluators applied to one image: localisation, identity, copy-paste and scene.
 * Their fitted parameters (identity model and threshold, scene centroids) are data, read from
 * bench/evaluators/calibration.json, which `bench calibrate` fits on training identities.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Raster } from '../image/raster.ts';
import type { CaseScore, InstanceScore } from '../metrics/scores.ts';
import type { Box } from './box.ts';
import { iou } from './box.ts';
import { copyPaste } from './copy-paste.ts';
import { alignedCrop, cutoutCrop, identityFeatures, identitySimilarity } from './identity.ts';
import { DEFAULT_LOCALISE, ImagePyramid, localise } from './localise.ts';
import { backgroundFeatures, classifyScene } from './scene.ts';
import { cutoutOf } from './template.ts';

/** Cutouts are shrunk to this side before matching (cheap, and as fine as 128 px renders need). */
export const CUTOUT_SIDE = 32;

export const CalibrationSchema = z.object({
  format: z.literal('contextgen-bench-calibration/1'),
  identity: z.object({
    features: z.array(z.string()),
    weights: z.array(z.number()),
    bias: z.number(),
    /** Similarity (0..100) at or above which the identity check passes. */
    threshold: z.number(),
  }),
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

export const CALIBRATION_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../bench/evaluators/calibration.json',
);

export function loadCalibration(path: string = CALIBRATION_PATH): Calibration {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(
      `evaluator calibration not found at ${path}; create it with "npx tsx packages/bench/src/main.ts calibrate"`,
    );
  }
  const parsed = CalibrationSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(
      `${path} is not a bench calibration (${parsed.error.issues[0]?.message}); regenerate it with "bench calibrate"`,
    );
  }
  return parsed.data;
}

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
  /** Masked NCC of the localised template. */
  readonly matchScore: number;
  /** Identity descriptor agreements (IDENTITY_FEATURES order). */
  readonly features: readonly number[];
}

export interface ScoredCase extends CaseScore {
  readonly instances: InstanceDetail[];
}

/** Localises one reference near one box and measures the identity descriptors there. */
export function locateAndDescribe(
  pyramid: ImagePyramid,
  reference: Raster,
  box: Box,
): { found: Box; matchScore: number; features: number[] } {
  const cut = cutoutOf(reference, CUTOUT_SIDE);
  const loc = localise(pyramid, cut, box, DEFAULT_LOCALISE);
  const features = identityFeatures(
    cutoutCrop(cut),
    alignedCrop(pyramid.image, cut, loc.placement),
  );
  return { found: loc.box, matchScore: loc.score, features };
}

/** Localisation + identity of one reference near one box. */
export function scoreIdentity(
  pyramid: ImagePyramid,
  reference: Raster,
  box: Box,
  cal: Pick<Calibration, 'identity'>,
): Omit<InstanceDetail, 'copyPaste'> {
  const { found, matchScore, features } = locateAndDescribe(pyramid, reference, box);
  const similarity = identitySimilarity(cal.identity, features);
  return {
    found,
    iou: iou(found, box),
    similarity,
    identityPass: similarity >= cal.identity.threshold,
    matchScore,
    features,
  };
}

export function scoreCase(images: CaseImages, cal: Calibration): ScoredCase {
  const pyramid = new ImagePyramid(images.generated);
  const instances = images.boxes.map((box, j) => ({
    ...scoreIdentity(pyramid, images.references[j]!, box, cal),
    copyPaste: copyPaste(images.generated, images.layout, box, cal.copyPaste).copy,
  }));
  const scenePredicted = classifyScene(
    cal.scene,
    backgroundFeatures(images.generated, images.boxes),
  );
  return {
    id: images.id,
    level: images.level,
    instances,
    sceneMatch: scenePredicted === images.scene,
    scenePredicted,
  };
}
