/**
 * The built-in evaluators applied to one image: localisation, identity, copy-paste and scene.
 * Identity is the learned network (bench/evaluators/identity-net.onnx); its pass threshold and
 * the scene centroids are data, read from bench/evaluators/calibration.json, which
 * `bench calibrate` fits on training identities. The calibration records the network's sha256;
 * scoring with another network is refused.
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
import type { AlignedCrop } from './identity.ts';
import { alignedCrop, cutoutCrop } from './identity.ts';
import type { IdentityNet } from '../ident/identity-net.ts';
import { DEFAULT_LOCALISE, ImagePyramid, localise } from './localise.ts';
import { backgroundFeatures, classifyScene } from './scene.ts';
import { cutoutOf } from './template.ts';

/** Cutouts are shrunk to this side before matching (cheap, and as fine as 128 px renders need). */
export const CUTOUT_SIDE = 32;

export const CalibrationSchema = z.object({
  format: z.literal('contextgen-bench-calibration/2'),
  identity: z.object({
    /** The network file, relative to bench/evaluators/. */
    network: z.string(),
    /** sha256 of the network file the threshold was fitted with. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
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
}

export interface ScoredCase extends CaseScore {
  readonly instances: InstanceDetail[];
}

/** Checks that `net` is the network `cal` was fitted with. */
export function assertCalibratedNet(cal: Pick<Calibration, 'identity'>, net: IdentityNet): void {
  if (cal.identity.sha256 !== net.sha256) {
    throw new Error(
      `${net.path} is not the identity network the calibration was fitted with (sha256 ${net.sha256.slice(0, 12)}, calibration ${cal.identity.sha256.slice(0, 12)}); rerun "npx tsx packages/bench/src/main.ts calibrate"`,
    );
  }
}

/** A reference localised near a box: the found box, match score and both sides of the comparison. */
export interface Located {
  readonly found: Box;
  readonly matchScore: number;
  readonly reference: AlignedCrop;
  readonly crop: AlignedCrop;
}

/** Localises one reference near one box and samples the image back into the cutout's frame. */
export function locate(pyramid: ImagePyramid, reference: Raster, box: Box): Located {
  const cut = cutoutOf(reference, CUTOUT_SIDE);
  const loc = localise(pyramid, cut, box, DEFAULT_LOCALISE);
  return {
    found: loc.box,
    matchScore: loc.score,
    reference: cutoutCrop(cut),
    crop: alignedCrop(pyramid.image, cut, loc.placement),
  };
}

/** Localisation + identity of references near boxes (one network call for all of them). */
export async function scoreIdentities(
  items: readonly { pyramid: ImagePyramid; reference: Raster; box: Box }[],
  cal: Pick<Calibration, 'identity'>,
  net: IdentityNet,
): Promise<Omit<InstanceDetail, 'copyPaste'>[]> {
  assertCalibratedNet(cal, net);
  const located = items.map((it) => locate(it.pyramid, it.reference, it.box));
  const sims = await net.similarities(located);
  return located.map((l, j) => ({
    found: l.found,
    iou: iou(l.found, items[j]!.box),
    similarity: sims[j]!,
    identityPass: sims[j]! >= cal.identity.threshold,
    matchScore: l.matchScore,
  }));
}

export async function scoreCase(
  images: CaseImages,
  cal: Calibration,
  net: IdentityNet,
): Promise<ScoredCase> {
  const pyramid = new ImagePyramid(images.generated);
  const ids = await scoreIdentities(
    images.boxes.map((box, j) => ({ pyramid, reference: images.references[j]!, box })),
    cal,
    net,
  );
  const instances = ids.map((s, j) => ({
    ...s,
    copyPaste: copyPaste(images.generated, images.layout, images.boxes[j]!, cal.copyPaste).copy,
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
