/**
 * `bench compare A B`: the paired difference A - B of two runs of the same set, per metric, with
 * its 95% bootstrap interval over the cases both scored (see metrics/bootstrap.ts). Fewer than
 * `minCases` shared cases are refused: at 40 cases a +0.03 mIoU change is inside the noise.
 */
import type { BootstrapOptions, CiMetric, Interval, RunComparison } from '../metrics/bootstrap.ts';
import {
  CI_METRICS,
  DEFAULT_BOOTSTRAP,
  bootstrapMetrics,
  compareRuns,
} from '../metrics/bootstrap.ts';
import { loadRun } from './report.ts';

export const MIN_COMPARE_CASES = 200;

export const CI_FORMAT: Record<CiMetric, { label: string; fmt: (v: number) => string }> = {
  mIoU: { label: 'mIoU', fmt: (v) => v.toFixed(3) },
  iSR: { label: 'I-SR %', fmt: (v) => (100 * v).toFixed(1) },
  SR: { label: 'SR %', fmt: (v) => (100 * v).toFixed(1) },
  similarity: { label: 'identity sim', fmt: (v) => v.toFixed(1) },
};

/** `0.157 [0.141, 0.173]` */
export function formatInterval(m: CiMetric, i: Interval, signed = false): string {
  const f = CI_FORMAT[m].fmt;
  const s = (v: number) => (signed && v >= 0 ? `+${f(v)}` : f(v));
  return `${s(i.value)} [${s(i.lo)}, ${s(i.hi)}]`;
}

export interface Comparison extends RunComparison {
  readonly a: { dir: string; model: string; cases: number; metrics: Record<CiMetric, Interval> };
  readonly b: { dir: string; model: string; cases: number; metrics: Record<CiMetric, Interval> };
  readonly set: string;
}

export function compareRunFolders(
  dirA: string,
  dirB: string,
  opts: BootstrapOptions & { minCases?: number } = {},
): Comparison {
  const a = loadRun(dirA);
  const b = loadRun(dirB);
  if (a.info.set !== b.info.set) {
    throw new Error(
      `${dirA} ran set "${a.info.set}" and ${dirB} set "${b.info.set}"; compare runs of the same set`,
    );
  }
  const cmp = compareRuns(a.scores, b.scores, opts);
  const min = opts.minCases ?? MIN_COMPARE_CASES;
  if (cmp.cases < min) {
    throw new Error(
      `the runs share ${cmp.cases} cases; a comparison needs at least ${min} (run both with --limit ${MIN_COMPARE_CASES} or more, or pass --min-cases to accept a weaker comparison)`,
    );
  }
  const shared = new Set(b.scores.map((c) => c.id));
  const sa = a.scores.filter((c) => shared.has(c.id));
  const ids = new Set(sa.map((c) => c.id));
  const sb = b.scores.filter((c) => ids.has(c.id));
  return {
    ...cmp,
    set: a.info.set,
    a: { dir: dirA, model: a.info.model, cases: sa.length, metrics: bootstrapMetrics(sa, opts) },
    b: { dir: dirB, model: b.info.model, cases: sb.length, metrics: bootstrapMetrics(sb, opts) },
  };
}

export function comparisonMarkdown(c: Comparison, opts: BootstrapOptions = {}): string {
  const o = { ...DEFAULT_BOOTSTRAP, ...opts };
  const lines = [
    `A = ${c.a.model} (${c.a.dir}), B = ${c.b.model} (${c.b.dir}), set "${c.set}": ${c.cases} shared cases` +
      (c.onlyA || c.onlyB ? ` (left out: ${c.onlyA} only in A, ${c.onlyB} only in B)` : '') +
      `; ${Math.round(100 * o.level)}% percentile bootstrap over cases, ${o.resamples} resamples, seed ${o.seed}; the difference is paired (same cases resampled for both).`,
    '',
    '| metric | A [95% CI] | B [95% CI] | A - B [95% CI, paired] |',
    '|---|---:|---:|---:|',
    ...CI_METRICS.map(
      (m) =>
        `| ${CI_FORMAT[m].label} | ${formatInterval(m, c.a.metrics[m])} | ${formatInterval(m, c.b.metrics[m])} | ${formatInterval(m, c.difference[m], true)} |`,
    ),
  ];
  return lines.join('\n');
}
