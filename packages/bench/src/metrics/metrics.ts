/**
 * COCO-MIG metrics with identity in place of colour:
 * - per-instance IoU: geometric IoU of the found box with the target box, 0 when the
 *   identity check fails (COCO-MIG zeroes it when the colour is wrong);
 * - mIoU: mean per-instance IoU;
 * - I-SR: share of instances with IoU >= 0.5 and a passing identity check;
 * - SR: share of images whose every instance passes I-SR;
 * - similarity: mean identity similarity (0..100) over instances;
 * - copy-paste rate: share of instances whose crop is a near pixel copy of the layout image;
 * - scene adherence: share of images whose background matches the prompt's scene type.
 * "overall" pools every instance (and every image) of the set, so higher levels carry more
 * instance weight, as in COCO-MIG's instance-level figures.
 */
import type { CaseScore, InstanceScore } from './scores.ts';

export const ISR_IOU = 0.5;

export interface MetricRow {
  readonly images: number;
  readonly instances: number;
  readonly mIoU: number;
  readonly iSR: number;
  readonly SR: number;
  readonly similarity: number;
  readonly copyPaste: number;
  readonly scene: number;
}

export function instanceIou(s: InstanceScore): number {
  return s.identityPass ? s.iou : 0;
}

export function instanceSuccess(s: InstanceScore): boolean {
  return s.identityPass && s.iou >= ISR_IOU;
}

export function imageSuccess(c: CaseScore): boolean {
  return c.instances.length > 0 && c.instances.every(instanceSuccess);
}

export function metricRow(cases: readonly CaseScore[]): MetricRow {
  let n = 0;
  let sumIou = 0;
  let succ = 0;
  let sim = 0;
  let copy = 0;
  for (const c of cases) {
    for (const s of c.instances) {
      n++;
      sumIou += instanceIou(s);
      if (instanceSuccess(s)) succ++;
      sim += s.similarity;
      if (s.copyPaste) copy++;
    }
  }
  const images = cases.length;
  const div = (a: number, b: number) => (b > 0 ? a / b : 0);
  return {
    images,
    instances: n,
    mIoU: div(sumIou, n),
    iSR: div(succ, n),
    SR: div(cases.filter(imageSuccess).length, images),
    similarity: div(sim, n),
    copyPaste: div(copy, n),
    scene: div(cases.filter((c) => c.sceneMatch).length, images),
  };
}

/** Rows per level (ascending) plus `overall`. */
export function metricTable(cases: readonly CaseScore[]): { level: string; row: MetricRow }[] {
  const levels = [...new Set(cases.map((c) => c.level))].sort((a, b) => a - b);
  const rows = levels.map((l) => ({
    level: `L${l}`,
    row: metricRow(cases.filter((c) => c.level === l)),
  }));
  rows.push({ level: 'overall', row: metricRow(cases) });
  return rows;
}
