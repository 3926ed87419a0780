/**
 * Confidence intervals for the bench metrics: the percentile bootstrap over cases (an image and
 * all its instances are resampled together, since instances of one image are not independent),
 * seeded, so a report's intervals are reproducible. Each resample recomputes the metric exactly
 * as `metricRow` does (pooled over instances for mIoU, I-SR and similarity; over images for SR).
 *
 * `compareRuns` gives the paired difference A - B of two runs over the cases both scored: each
 * resample draws case ids once and uses both runs' scores of those cases, so the variation
 * between cases that both runs share cancels out (paired intervals are much narrower than the
 * two single-run intervals suggest when the runs agree on which cases are hard).
 */
import { mix32 } from '@contextgen/dataset';
import type { CaseScore } from './scores.ts';
import { imageSuccess, instanceIou, instanceSuccess } from './metrics.ts';

export const CI_METRICS = ['mIoU', 'iSR', 'SR', 'similarity'] as const;
export type CiMetric = (typeof CI_METRICS)[number];

export interface Interval {
  /** The figure on the cases as given. */
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
}

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  readonly resamples?: number;
  /** Seed of the resampling (default 0). */
  readonly seed?: number;
  /** Coverage of the interval (default 0.95). */
  readonly level?: number;
}

export const DEFAULT_BOOTSTRAP = { resamples: 2000, seed: 0, level: 0.95 } as const;

/** Uniform integers in [0, n) from a seed (mulberry32-style stream over mix32). */
export function seededIndices(seed: number): (n: number) => number {
  let state = mix32(seed >>> 0, 0x2545f491);
  return (n: number) => {
    state = mix32(state, 0x9e3779b9);
    return Math.floor((state / 2 ** 32) * n);
  };
}

/** Per-case sums from which every CI metric of any multiset of cases follows. */
interface CaseSums {
  readonly n: number;
  readonly iou: number;
  readonly succ: number;
  readonly sim: number;
  readonly image: number;
}

function sums(c: CaseScore): CaseSums {
  let iou = 0;
  let succ = 0;
  let sim = 0;
  for (const s of c.instances) {
    iou += instanceIou(s);
    if (instanceSuccess(s)) succ++;
    sim += s.similarity;
  }
  return { n: c.instances.length, iou, succ, sim, image: imageSuccess(c) ? 1 : 0 };
}

function metricsOf(
  cs: readonly CaseSums[],
  pick: (k: number) => number,
  count: number,
): Record<CiMetric, number> {
  let n = 0;
  let iou = 0;
  let succ = 0;
  let sim = 0;
  let img = 0;
  for (let k = 0; k < count; k++) {
    const c = cs[pick(k)]!;
    n += c.n;
    iou += c.iou;
    succ += c.succ;
    sim += c.sim;
    img += c.image;
  }
  const div = (a: number, b: number) => (b > 0 ? a / b : 0);
  return {
    mIoU: div(iou, n),
    iSR: div(succ, n),
    SR: div(img, count),
    similarity: div(sim, n),
  };
}

/** The `q` quantile (0..1) of sorted values, linear between order statistics. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - f) + sorted[i + 1]! * f : sorted[i]!;
}

function intervals(
  value: Record<CiMetric, number>,
  draws: Record<CiMetric, number>[],
  level: number,
): Record<CiMetric, Interval> {
  const out = {} as Record<CiMetric, Interval>;
  for (const m of CI_METRICS) {
    const v = draws.map((d) => d[m]).sort((a, b) => a - b);
    out[m] = {
      value: value[m],
      lo: quantile(v, (1 - level) / 2),
      hi: quantile(v, (1 + level) / 2),
    };
  }
  return out;
}

function resolved(opts: BootstrapOptions) {
  const o = { ...DEFAULT_BOOTSTRAP, ...opts };
  if (!Number.isInteger(o.resamples) || o.resamples < 1)
    throw new Error(`bootstrap resamples must be a whole number >= 1, got ${o.resamples}`);
  if (!(o.level > 0 && o.level < 1))
    throw new Error(`bootstrap level must be between 0 and 1, got ${o.level}`);
  return o;
}

/** 95% (by default) percentile-bootstrap intervals of mIoU, I-SR, SR and similarity over cases. */
export function bootstrapMetrics(
  cases: readonly CaseScore[],
  opts: BootstrapOptions = {},
): Record<CiMetric, Interval> {
  const o = resolved(opts);
  const cs = cases.map(sums);
  const value = metricsOf(cs, (k) => k, cs.length);
  if (cs.length === 0) return intervals(value, [value], o.level);
  const rand = seededIndices(o.seed);
  const draws: Record<CiMetric, number>[] = [];
  for (let r = 0; r < o.resamples; r++) {
    const idx = Array.from({ length: cs.length }, () => rand(cs.length));
    draws.push(metricsOf(cs, (k) => idx[k]!, cs.length));
  }
  return intervals(value, draws, o.level);
}

export interface RunComparison {
  /** Cases scored by both runs (matched by case id); the differences use only these. */
  readonly cases: number;
  readonly onlyA: number;
  readonly onlyB: number;
  /** A - B, with its paired bootstrap interval. */
  readonly difference: Record<CiMetric, Interval>;
}

function diff(a: Record<CiMetric, number>, b: Record<CiMetric, number>): Record<CiMetric, number> {
  const out = {} as Record<CiMetric, number>;
  for (const m of CI_METRICS) out[m] = a[m] - b[m];
  return out;
}

/** Paired bootstrap of the difference A - B over the cases both runs scored. */
export function compareRuns(
  a: readonly CaseScore[],
  b: readonly CaseScore[],
  opts: BootstrapOptions = {},
): RunComparison {
  const o = resolved(opts);
  const byId = new Map(b.map((c) => [c.id, c]));
  const shared = a.filter((c) => byId.has(c.id));
  if (shared.length === 0)
    throw new Error('the two runs share no case ids; compare runs of the same bench set');
  const sa = shared.map(sums);
  const sb = shared.map((c) => sums(byId.get(c.id)!));
  const n = shared.length;
  const value = diff(
    metricsOf(sa, (k) => k, n),
    metricsOf(sb, (k) => k, n),
  );
  const rand = seededIndices(o.seed);
  const draws: Record<CiMetric, number>[] = [];
  for (let r = 0; r < o.resamples; r++) {
    const idx = Array.from({ length: n }, () => rand(n));
    const pick = (k: number) => idx[k]!;
    draws.push(diff(metricsOf(sa, pick, n), metricsOf(sb, pick, n)));
  }
  return {
    cases: n,
    onlyA: a.length - n,
    onlyB: b.length - shared.length,
    difference: intervals(value, draws, o.level),
  };
}

/**
 * Unpaired bootstrap of A - B (each run resampled on its own): the interval to use when the two
 * runs scored different cases; wider than the paired one when the runs share case difficulty.
 */
export function unpairedDifference(
  a: readonly CaseScore[],
  b: readonly CaseScore[],
  opts: BootstrapOptions = {},
): Record<CiMetric, Interval> {
  const o = resolved(opts);
  const sa = a.map(sums);
  const sb = b.map(sums);
  if (sa.length === 0 || sb.length === 0) throw new Error('both runs need at least one case');
  const value = diff(
    metricsOf(sa, (k) => k, sa.length),
    metricsOf(sb, (k) => k, sb.length),
  );
  const rand = seededIndices(o.seed);
  const draws: Record<CiMetric, number>[] = [];
  for (let r = 0; r < o.resamples; r++) {
    const ia = Array.from({ length: sa.length }, () => rand(sa.length));
    const ib = Array.from({ length: sb.length }, () => rand(sb.length));
    draws.push(
      diff(
        metricsOf(sa, (k) => ia[k]!, sa.length),
        metricsOf(sb, (k) => ib[k]!, sb.length),
      ),
    );
  }
  return intervals(value, draws, o.level);
}
