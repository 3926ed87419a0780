/**
 * `bench validate`: checks the evaluators before their figures are trusted, on a set's
 * ground truth (held-out identities by default):
 * - ground truth: localiser mIoU (geometric, against the target boxes) >= 0.85 and identity
 *   verification >= 95%;
 * - swapped identities: the renderer draws two instances with their pictures exchanged (the
 *   first clean pair per case, see renderSwapped); the identity check with the original
 *   references must fail >= 90% of the time;
 * - blurred ground truth (right colours in the right place, no detail; `blurredTarget`): the
 *   identity check must fail >= 90% of the time;
 * - blank (uniform grey) and noise images: instance success near zero (<= 2%);
 * - copy-paste: near 0 on ground truth, near 100% on the layout image itself.
 */
import { limitCases } from '../sets/bench-set.ts';
import type { Atlas } from '@contextgen/dataset';
import type { Calibration } from '../eval/evaluators.ts';
import { scoreCase, scoreIdentities } from '../eval/evaluators.ts';
import type { IdentityNet } from '../ident/identity-net.ts';
import { ImagePyramid } from '../eval/localise.ts';
import type { Raster } from '../image/raster.ts';
import { makeRaster } from '../image/raster.ts';
import { blurredTarget } from '../eval/calibrate.ts';
import { metricRow } from '../metrics/metrics.ts';
import type { MetricRow } from '../metrics/metrics.ts';
import type { CaseScore } from '../metrics/scores.ts';
import type { BenchSet } from '../sets/bench-set.ts';
import { mix32 } from '@contextgen/dataset';
import { CaseRenderer, firstCleanSwap } from '../sets/render-case.ts';

export const CRITERIA = {
  groundTruthMiou: 0.85,
  groundTruthIdentity: 0.95,
  swappedFail: 0.9,
  blurredFail: 0.9,
  blankNoiseSuccessMax: 0.02,
} as const;

export interface ValidationResult {
  readonly set: string;
  readonly cases: number;
  readonly instances: number;
  /** Geometric IoU of found vs target boxes on ground truth (identity not applied). */
  readonly groundTruthLocaliserMiou: number;
  readonly groundTruthIdentityPass: number;
  readonly groundTruth: MetricRow;
  readonly layout: MetricRow;
  readonly swappedPairs: number;
  readonly swappedIdentityFail: number;
  /** Share of instances whose identity check fails on a blurred copy of the ground truth. */
  readonly blurredIdentityFail: number;
  readonly blurredInstances: number;
  readonly blank: MetricRow;
  readonly noise: MetricRow;
  readonly checks: { name: string; value: number; want: string; ok: boolean }[];
}

export function blankImage(size: number): Raster {
  return makeRaster(size, size, 3, 128);
}

export function noiseImage(size: number, seed: number): Raster {
  const r = makeRaster(size, size, 3);
  let s = seed >>> 0;
  for (let i = 0; i < r.data.length; i++) {
    s = mix32(s, i);
    r.data[i] = s & 255;
  }
  return r;
}

export async function validateEvaluators(
  atlas: Atlas,
  set: BenchSet,
  cal: Calibration,
  net: IdentityNet,
  opts: { limit?: number; onCase?: () => void } = {},
): Promise<ValidationResult> {
  const renderer = new CaseRenderer(atlas, set);
  const cases = limitCases(set.cases, opts.limit);
  const gt: CaseScore[] = [];
  const lay: CaseScore[] = [];
  const blank: CaseScore[] = [];
  const noise: CaseScore[] = [];
  let geo = 0;
  let n = 0;
  let pairs = 0;
  let fails = 0;
  let blurFails = 0;
  let blurN = 0;
  for (const c of cases) {
    const r = renderer.render(c);
    const base = {
      id: c.id,
      level: c.level,
      scene: r.scene,
      boxes: r.boxes,
      references: r.references,
      layout: r.layout,
    };
    const g = await scoreCase({ ...base, generated: r.target }, cal, net);
    gt.push(g);
    for (const s of g.instances) {
      geo += s.iou;
      n++;
    }
    lay.push(await scoreCase({ ...base, generated: r.layout }, cal, net));
    blank.push(await scoreCase({ ...base, generated: blankImage(r.target.width) }, cal, net));
    noise.push(
      await scoreCase({ ...base, generated: noiseImage(r.target.width, c.seed) }, cal, net),
    );
    const blurred = await scoreIdentities(
      r.boxes.map((box, j) => ({
        pyramid: new ImagePyramid(blurredTarget(r.target, box)),
        reference: r.references[j]!,
        box,
      })),
      cal,
      net,
    );
    blurN += blurred.length;
    blurFails += blurred.filter((s) => !s.identityPass).length;
    const sw = firstCleanSwap(renderer, c);
    if (sw) {
      const pyramid = new ImagePyramid(sw.image.target);
      const swapped = await scoreIdentities(
        sw.pair.map((j) => ({ pyramid, reference: r.references[j]!, box: r.boxes[j]! })),
        cal,
        net,
      );
      pairs += swapped.length;
      fails += swapped.filter((s) => !s.identityPass).length;
    }
    opts.onCase?.();
  }
  const gtRow = metricRow(gt);
  const identityPass =
    gt.reduce((a, c) => a + c.instances.filter((s) => s.identityPass).length, 0) / Math.max(1, n);
  const result = {
    set: set.name,
    cases: cases.length,
    instances: n,
    groundTruthLocaliserMiou: geo / Math.max(1, n),
    groundTruthIdentityPass: identityPass,
    groundTruth: gtRow,
    layout: metricRow(lay),
    swappedPairs: pairs,
    swappedIdentityFail: fails / Math.max(1, pairs),
    blurredIdentityFail: blurFails / Math.max(1, blurN),
    blurredInstances: blurN,
    blank: metricRow(blank),
    noise: metricRow(noise),
  };
  const checks = [
    {
      name: 'ground truth: localiser mIoU',
      value: result.groundTruthLocaliserMiou,
      want: `>= ${CRITERIA.groundTruthMiou}`,
      ok: result.groundTruthLocaliserMiou >= CRITERIA.groundTruthMiou,
    },
    {
      name: 'ground truth: identity verification',
      value: identityPass,
      want: `>= ${CRITERIA.groundTruthIdentity}`,
      ok: identityPass >= CRITERIA.groundTruthIdentity,
    },
    {
      name: 'swapped identities: identity check fails',
      value: result.swappedIdentityFail,
      want: `>= ${CRITERIA.swappedFail}`,
      ok: result.swappedIdentityFail >= CRITERIA.swappedFail,
    },
    {
      name: 'blurred ground truth: identity check fails',
      value: result.blurredIdentityFail,
      want: `>= ${CRITERIA.blurredFail}`,
      ok: result.blurredIdentityFail >= CRITERIA.blurredFail,
    },
    {
      name: 'blank image: I-SR',
      value: result.blank.iSR,
      want: `<= ${CRITERIA.blankNoiseSuccessMax}`,
      ok: result.blank.iSR <= CRITERIA.blankNoiseSuccessMax,
    },
    {
      name: 'noise image: I-SR',
      value: result.noise.iSR,
      want: `<= ${CRITERIA.blankNoiseSuccessMax}`,
      ok: result.noise.iSR <= CRITERIA.blankNoiseSuccessMax,
    },
  ];
  return { ...result, checks };
}

export function validationMarkdown(v: ValidationResult): string {
  const lines = [
    `Evaluator validation on set "${v.set}": ${v.cases} cases, ${v.instances} instances, ${v.swappedPairs} swapped pairs, ${v.blurredInstances} blurred instances (box blur radius max(2, box side / 8), two passes).`,
    '',
    '| check | value | criterion | ok |',
    '|---|---:|---|---|',
    ...v.checks.map(
      (c) => `| ${c.name} | ${c.value.toFixed(3)} | ${c.want} | ${c.ok ? 'yes' : 'NO'} |`,
    ),
    `| ground truth: copy-paste rate | ${v.groundTruth.copyPaste.toFixed(3)} | near 0 | ${v.groundTruth.copyPaste <= 0.02 ? 'yes' : 'NO'} |`,
    `| layout image: copy-paste rate | ${v.layout.copyPaste.toFixed(3)} | near 1 | ${v.layout.copyPaste >= 0.98 ? 'yes' : 'NO'} |`,
    `| ground truth: scene adherence | ${v.groundTruth.scene.toFixed(3)} | high | |`,
    `| blank image: identity similarity (mean) | ${v.blank.similarity.toFixed(1)} | low | |`,
    `| noise image: identity similarity (mean) | ${v.noise.similarity.toFixed(1)} | low | |`,
  ];
  return lines.join('\n');
}
