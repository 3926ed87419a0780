/**
 * `bench calibrate`: fits the evaluators' free parameters on ground-truth renders of the
 * calibration set (training identities only, a split no benchmark uses):
 * - identity: logistic model over the descriptor agreements, genuine pairs (reference vs its
 *   own instance) against impostors (reference vs the instance drawn in its place when two
 *   identities are swapped); the pass threshold keeps `genuinePass` of genuine pairs;
 * - scene: nearest-centroid model on background colour statistics.
 */
import { limitCases } from '../sets/bench-set.ts';
import { writeFileSync } from 'node:fs';
import type { Atlas } from '@contextgen/dataset';
import type { BenchSet } from '../sets/bench-set.ts';
import { CaseRenderer, firstCleanSwap } from '../sets/render-case.ts';
import { ensureDir } from '../sets/set-files.ts';
import type { Calibration } from './evaluators.ts';
import { CALIBRATION_PATH, locateAndDescribe } from './evaluators.ts';
import { DEFAULT_COPY_PASTE } from './copy-paste.ts';
import { fitIdentityModel, identitySimilarity } from './identity.ts';
import { ImagePyramid } from './localise.ts';
import type { Box } from './box.ts';
import { backgroundFeatures, fitSceneModel } from './scene.ts';

export interface CalibrateOptions {
  readonly limit?: number;
  /** Share of genuine calibration pairs that must pass. */
  readonly genuinePass?: number;
  readonly onCase?: () => void;
}

export function calibrate(atlas: Atlas, set: BenchSet, opts: CalibrateOptions = {}): Calibration {
  if (set.identities !== 'train') {
    throw new Error(
      `calibration must use training identities; set "${set.name}" uses ${set.identities} identities`,
    );
  }
  const genuinePass = opts.genuinePass ?? 0.96;
  const renderer = new CaseRenderer(atlas, set);
  const cases = limitCases(set.cases, opts.limit);
  const pairs: { features: number[]; genuine: boolean }[] = [];
  const scenes: { scene: string; features: number[] }[] = [];
  for (const c of cases) {
    const r = renderer.render(c);
    const pyr = new ImagePyramid(r.target);
    r.boxes.forEach((box, j) =>
      pairs.push({
        features: locateAndDescribe(pyr, r.references[j]!, box).features,
        genuine: true,
      }),
    );
    // Swap two instances' identities (the first clean pair), score both references.
    const sw = firstCleanSwap(renderer, c);
    if (sw) {
      const spyr = new ImagePyramid(sw.image.target);
      for (const j of sw.pair)
        pairs.push({
          features: locateAndDescribe(spyr, r.references[j]!, r.boxes[j]!).features,
          genuine: false,
        });
    }
    scenes.push({ scene: r.scene, features: backgroundFeatures(r.target, r.boxes) });
    opts.onCase?.();
  }
  const model = fitIdentityModel(pairs);
  const genuine = pairs
    .filter((p) => p.genuine)
    .map((p) => identitySimilarity(model, p.features))
    .sort((x, y) => x - y);
  const impostor = pairs
    .filter((p) => !p.genuine)
    .map((p) => identitySimilarity(model, p.features));
  const threshold = genuine[Math.floor((1 - genuinePass) * genuine.length)]!;
  return {
    format: 'contextgen-bench-calibration/1',
    identity: {
      features: [...model.features],
      weights: [...model.weights],
      bias: model.bias,
      threshold,
    },
    scene: plainScene(fitSceneModel(scenes)),
    copyPaste: { ...DEFAULT_COPY_PASTE },
    provenance: {
      set: set.name,
      cases: cases.length,
      genuinePairs: genuine.length,
      impostorPairs: impostor.length,
      genuinePassTarget: genuinePass,
      impostorFailOnCalibration: impostor.filter((s) => s < threshold).length / impostor.length,
      command: 'npx tsx packages/bench/src/main.ts calibrate',
    },
  };
}

/** Blur for the validation's blurred ground truth: removes identity detail, keeps colour blobs (1/8 of the box side). */
export function blurRadius(box: Box): number {
  return Math.max(2, Math.max(box[2] - box[0], box[3] - box[1]) / 8);
}

function plainScene(m: ReturnType<typeof fitSceneModel>): Calibration['scene'] {
  return {
    features: m.features,
    scenes: [...m.scenes],
    centroids: m.centroids.map((c) => [...c]),
    scale: [...m.scale],
  };
}

export function writeCalibration(cal: Calibration, path: string = CALIBRATION_PATH): string {
  ensureDir(path);
  writeFileSync(path, `${JSON.stringify(cal, null, 1)}\n`);
  return path;
}
