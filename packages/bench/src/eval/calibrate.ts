/**
 * `bench calibrate`: fits the evaluators' free parameters on ground-truth renders of the
 * calibration set (training identities only, a split no benchmark uses, whose identities the
 * identity network was not trained on):
 * - identity: the pass threshold on the network's similarity keeps `genuinePass` of genuine
 *   pairs (reference vs its own instance); the shares of swapped-identity and blurred pairs
 *   that then fail are recorded in the provenance (they are not used to pick the threshold);
 * - scene: nearest-centroid model on background colour statistics.
 */
import { limitCases } from '../sets/bench-set.ts';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Atlas } from '@contextgen/dataset';
import type { BenchSet } from '../sets/bench-set.ts';
import { CaseRenderer, firstCleanSwap } from '../sets/render-case.ts';
import { ensureDir } from '../sets/set-files.ts';
import type { Calibration } from './evaluators.ts';
import { CALIBRATION_PATH, locate } from './evaluators.ts';
import { DEFAULT_COPY_PASTE } from './copy-paste.ts';
import { ImagePyramid } from './localise.ts';
import type { Box } from './box.ts';
import { backgroundFeatures, fitSceneModel } from './scene.ts';
import type { Raster } from '../image/raster.ts';
import { blurRaster } from '../image/raster.ts';
import type { IdentityNet, IdentityPair } from '../ident/identity-net.ts';

export interface CalibrateOptions {
  readonly limit?: number;
  /** Share of genuine calibration pairs that must pass. */
  readonly genuinePass?: number;
  readonly onCase?: () => void;
}

/**
 * The blurred ground truth an identity check must reject (calibration and validation): the
 * whole image under blurRaster (two box-blur passes, i.e. a near-Gaussian of sigma about
 * 0.8 * radius) with radius max(2, longer side of the instance's box / 8): colours and the
 * silhouette's rough shape stay, the subject's inner detail goes.
 */
export function blurredTarget(target: Raster, box: Box): Raster {
  return blurRaster(target, blurRadius(box));
}

export async function calibrate(
  atlas: Atlas,
  set: BenchSet,
  net: IdentityNet,
  opts: CalibrateOptions = {},
): Promise<Calibration> {
  if (set.identities !== 'train') {
    throw new Error(
      `calibration must use training identities; set "${set.name}" uses ${set.identities} identities`,
    );
  }
  const genuinePass = opts.genuinePass ?? 0.97;
  const renderer = new CaseRenderer(atlas, set);
  const cases = limitCases(set.cases, opts.limit);
  const genuine: IdentityPair[] = [];
  const swapped: IdentityPair[] = [];
  const blurred: IdentityPair[] = [];
  const scenes: { scene: string; features: number[] }[] = [];
  for (const c of cases) {
    const r = renderer.render(c);
    const pyr = new ImagePyramid(r.target);
    r.boxes.forEach((box, j) => {
      genuine.push(locate(pyr, r.references[j]!, box));
      blurred.push(locate(new ImagePyramid(blurredTarget(r.target, box)), r.references[j]!, box));
    });
    const sw = firstCleanSwap(renderer, c);
    if (sw) {
      const spyr = new ImagePyramid(sw.image.target);
      for (const j of sw.pair) swapped.push(locate(spyr, r.references[j]!, r.boxes[j]!));
    }
    scenes.push({ scene: r.scene, features: backgroundFeatures(r.target, r.boxes) });
    opts.onCase?.();
  }
  const g = (await net.similarities(genuine)).sort((x, y) => x - y);
  const s = await net.similarities(swapped);
  const b = await net.similarities(blurred);
  const threshold = g[Math.floor((1 - genuinePass) * g.length)]!;
  const failShare = (v: number[]) =>
    Number((v.filter((x) => x < threshold).length / Math.max(1, v.length)).toFixed(4));
  return {
    format: 'contextgen-bench-calibration/2',
    identity: { network: basename(net.path), sha256: net.sha256, threshold },
    scene: plainScene(fitSceneModel(scenes)),
    copyPaste: { ...DEFAULT_COPY_PASTE },
    provenance: {
      set: set.name,
      cases: cases.length,
      genuinePairs: g.length,
      swappedPairs: s.length,
      blurredPairs: b.length,
      genuinePassTarget: genuinePass,
      swappedFailOnCalibration: failShare(s),
      blurredFailOnCalibration: failShare(b),
      blur: 'box blur of radius max(2, longer box side / 8), two passes (blurRaster)',
      command: 'npx tsx packages/bench/src/main.ts calibrate',
    },
  };
}

/** Radius of the blurred ground truth's blur: 1/8 of the box's longer side, at least 2 px. */
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
