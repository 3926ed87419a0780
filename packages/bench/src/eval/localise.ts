/**
 * Instance localisation: finds a reference's subject in an image near its target box by
 * masked template matching (normalised cross-correlation of the reference cutout) over
 * rotations, mirroring and scales, coarse on a shrunken image, then refined at full
 * resolution (position, scale, rotation, stretch). For each rotation the base scale makes the
 * turned cutout's bounding box as large as the target box (the layout box is the tight box of
 * the whole subject), so only small scale changes need searching.
 */
import type { Raster } from '../image/raster.ts';
import { resizeRaster } from '../image/raster.ts';
import type { Box } from './box.ts';
import type { Cutout, Placement, Pose } from './template.ts';
import { maskedNcc, poseExtent, transformTemplate } from './template.ts';

export interface LocaliseOptions {
  /** Relative scales around the box-filling scale. */
  readonly scales: readonly number[];
  /** Rotations in degrees. */
  readonly angles: readonly number[];
  readonly flips: readonly boolean[];
  /** Stretches tried in the refinement. */
  readonly aspects: readonly number[];
  /** Search radius around the box centre, as a fraction of the box's longer side. */
  readonly radius: number;
  /** Longer side of the template in the coarse search, in pixels. */
  readonly coarseSide: number;
  /** Coarse candidates refined at full resolution. */
  readonly refineTop: number;
  /** Score penalty `centrePrior * (distance / box side)^2` for leaving the box centre. */
  readonly centrePrior: number;
}

export const DEFAULT_LOCALISE: LocaliseOptions = {
  scales: [0.85, 1, 1.15],
  angles: [-28, -21, -14, -7, 0, 7, 14, 21, 28],
  flips: [false, true],
  aspects: [0.88, 1, 1.12],
  radius: 0.2,
  coarseSide: 18,
  refineTop: 3,
  centrePrior: 1,
};

export interface Localisation {
  readonly placement: Placement;
  /** Masked NCC at the placement, in [-1, 1]. */
  readonly score: number;
  /** Tight box of the placed template's mask, in image pixels. */
  readonly box: Box;
}

interface Candidate {
  score: number;
  px: number;
  py: number;
  pose: Pose;
}

/** Shrunken copies of one image, cached per width (the evaluators reuse them per instance). */
export class ImagePyramid {
  private readonly cache = new Map<number, Raster>();
  constructor(readonly image: Raster) {}
  at(width: number): Raster {
    if (width >= this.image.width) return this.image;
    let r = this.cache.get(width);
    if (!r) {
      const h = Math.max(1, Math.round((this.image.height * width) / this.image.width));
      r = resizeRaster(this.image, width, h);
      this.cache.set(width, r);
    }
    return r;
  }
}

/** Best position of each pose in a square window; `f` = working pixels per full pixel. */
interface Prior {
  readonly cx: number;
  readonly cy: number;
  readonly side: number;
  readonly weight: number;
}

function searchPoses(
  img: Raster,
  cut: Cutout,
  f: number,
  cx: number,
  cy: number,
  rad: number,
  poses: readonly Pose[],
  prior: Prior,
): Candidate[] {
  const out: Candidate[] = [];
  const x0 = Math.floor((cx - rad) * f);
  const x1 = Math.ceil((cx + rad) * f);
  const y0 = Math.floor((cy - rad) * f);
  const y1 = Math.ceil((cy + rad) * f);
  for (const pose of poses) {
    const t = transformTemplate(cut, { ...pose, scale: pose.scale * f });
    if (t.n < 4) continue;
    let top: Candidate | null = null;
    for (let py = y0; py <= y1; py++) {
      for (let px = x0; px <= x1; px++) {
        const dx = (px + 0.5) / f - prior.cx;
        const dy = (py + 0.5) / f - prior.cy;
        const s =
          maskedNcc(img, t, px, py) -
          (prior.weight * (dx * dx + dy * dy)) / (prior.side * prior.side);
        if (!top || s > top.score) top = { score: s, px, py, pose };
      }
    }
    if (top) out.push(top);
  }
  return out.sort((a, b) => b.score - a.score);
}

/**
 * Coordinate ascent at full resolution: try turning, scaling and stretching a little (each
 * with a 3x3 position search); halve the steps when nothing improves.
 */
function hillClimb(
  full: Raster,
  cut: Cutout,
  start: Candidate,
  prior: Prior,
  angleStep: number,
  scaleStep: number,
): Candidate {
  let cur = start;
  let da = angleStep;
  let ds = scaleStep;
  let dr = 0.06;
  for (let round = 0; round < 12 && da > (0.7 * Math.PI) / 180; round++) {
    const p = cur.pose;
    const moves: Pose[] = [
      { ...p, angle: p.angle - da },
      { ...p, angle: p.angle + da },
      { ...p, scale: p.scale * (1 - ds) },
      { ...p, scale: p.scale * (1 + ds) },
      { ...p, aspect: p.aspect * (1 - dr) },
      { ...p, aspect: p.aspect * (1 + dr) },
      p,
    ];
    const r = searchPoses(full, cut, 1, cur.px + 0.5, cur.py + 0.5, 1, moves, prior)[0];
    if (r && r.score > cur.score + 1e-6) {
      cur = r;
    } else {
      da /= 2;
      ds /= 2;
      dr /= 2;
    }
  }
  return cur;
}

/** The scale at which the cutout under `pose` has the same bounding-box area as `box`. */
export function boxFitScale(cut: Cutout, pose: Pose, box: Box): number {
  const e = poseExtent(cut, { ...pose, scale: 1 });
  const ew = Math.max(1e-3, e[2] - e[0]);
  const eh = Math.max(1e-3, e[3] - e[1]);
  return Math.sqrt(((box[2] - box[0]) * (box[3] - box[1])) / (ew * eh));
}

/**
 * Localises `cut` in `pyramid.image` near `target`. Scores near 1 mean a clear match; on
 * blank images the score is 0.
 */
export function localise(
  pyramid: ImagePyramid,
  cut: Cutout,
  target: Box,
  opts: LocaliseOptions = DEFAULT_LOCALISE,
): Localisation {
  const full = pyramid.image;
  const cx = (target[0] + target[2]) / 2;
  const cy = (target[1] + target[3]) / 2;
  const side = Math.max(target[2] - target[0], target[3] - target[1]);
  const rad = opts.radius * side;
  const prior: Prior = { cx, cy, side, weight: opts.centrePrior };

  const poses: Pose[] = [];
  for (const angleDeg of opts.angles) {
    for (const flip of opts.flips) {
      const base: Pose = { scale: 1, angle: (angleDeg * Math.PI) / 180, flip, aspect: 1 };
      const s0 = boxFitScale(cut, base, target);
      for (const s of opts.scales) poses.push({ ...base, scale: s0 * s });
    }
  }
  const f0 = Math.min(1, opts.coarseSide / side);
  const coarseW = Math.max(8, Math.round(full.width * f0));
  const f = coarseW / full.width;
  const coarse = searchPoses(pyramid.at(coarseW), cut, f, cx, cy, rad, poses, prior).slice(
    0,
    opts.refineTop,
  );

  const aStep = opts.angles.length > 1 ? Math.abs(opts.angles[1]! - opts.angles[0]!) / 2 : 4;
  const sStep = opts.scales.length > 1 ? Math.abs(opts.scales[1]! - opts.scales[0]!) / 2 : 0.05;
  const posStep = f < 1 ? Math.ceil(1 / f) : 1;
  let best: Candidate | null = null;
  for (const c of coarse) {
    const start = searchPoses(
      full,
      cut,
      1,
      (c.px + 0.5) / f,
      (c.py + 0.5) / f,
      posStep,
      [c.pose],
      prior,
    )[0];
    if (!start) continue;
    const cur = start;
    if (!best || cur.score > best.score) best = cur;
  }
  if (best) best = hillClimb(full, cut, best, prior, (aStep * Math.PI) / 180, sStep);
  if (!best) {
    return {
      placement: { cx, cy, scale: 1, angle: 0, flip: false, aspect: 1 },
      score: 0,
      box: target,
    };
  }
  const t = transformTemplate(cut, best.pose);
  const score = maskedNcc(full, t, best.px, best.py);
  const box: Box = [best.px + t.minX, best.py + t.minY, best.px + t.maxX + 1, best.py + t.maxY + 1];
  return { placement: { cx: best.px + 0.5, cy: best.py + 0.5, ...best.pose }, score, box };
}
