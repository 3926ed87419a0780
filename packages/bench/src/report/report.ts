/**
 * `bench report DIR [DIR...]`: Markdown and a self-contained HTML page from run folders. The
 * first folder is the subject (its samples are shown, and external scores apply to it); the
 * others (e.g. the ground-truth and layout reference rows) are compared against it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAtlas } from '@contextgen/dataset';
import type { Atlas } from '@contextgen/dataset';
import type { Box } from '../eval/box.ts';
import { pngDataUrl, readPng } from '../image/png.ts';
import { resizeRaster } from '../image/raster.ts';
import type { ExternalScores } from '../metrics/external.ts';
import { applyExternal, parseExternalScores } from '../metrics/external.ts';
import type { MetricRow } from '../metrics/metrics.ts';
import { metricTable } from '../metrics/metrics.ts';
import type { BootstrapOptions, CiMetric, Interval } from '../metrics/bootstrap.ts';
import { DEFAULT_BOOTSTRAP, bootstrapMetrics } from '../metrics/bootstrap.ts';
import type { CaseScore } from '../metrics/scores.ts';
import type { CaseRecord, RunInfo } from '../run/run-folder.ts';
import { readAllCases, readRunInfo } from '../run/run-folder.ts';
import { CaseRenderer } from '../sets/render-case.ts';
import { loadSet } from '../sets/set-files.ts';
import { sampleRow } from './sample-grid.ts';
import { barChart } from './svg-bars.ts';
import type { ValidationResult } from '../validate/validate.ts';
import { validationMarkdown } from '../validate/validate.ts';

export interface LoadedRun {
  readonly dir: string;
  readonly info: RunInfo;
  readonly records: CaseRecord[];
  readonly scores: CaseScore[];
  readonly table: { level: string; row: MetricRow }[];
}

/** A table row; `ci` adds 95% intervals to the metrics that have them. */
export interface TableRow {
  readonly label: string;
  readonly row: MetricRow;
  readonly ci?: Record<CiMetric, Interval>;
}

export function loadRun(
  dir: string,
  external?: { scores: ExternalScores; source: string },
): LoadedRun {
  const info = readRunInfo(dir);
  if (!info) throw new Error(`${dir} has no run.json; pass a folder written by "bench run --out"`);
  const records = readAllCases(dir);
  const scores = records.map((r) =>
    external ? applyExternal(r.case, r.score, external.scores, external.source) : r.score,
  );
  return { dir, info, records, scores, table: metricTable(scores) };
}

const COLUMNS: { key: keyof MetricRow; label: string; fmt: (v: number) => string }[] = [
  { key: 'images', label: 'images', fmt: (v) => String(v) },
  { key: 'instances', label: 'instances', fmt: (v) => String(v) },
  { key: 'mIoU', label: 'mIoU', fmt: (v) => v.toFixed(3) },
  { key: 'iSR', label: 'I-SR %', fmt: (v) => (100 * v).toFixed(1) },
  { key: 'SR', label: 'SR %', fmt: (v) => (100 * v).toFixed(1) },
  { key: 'similarity', label: 'identity sim', fmt: (v) => v.toFixed(1) },
  { key: 'copyPaste', label: 'copy-paste %', fmt: (v) => (100 * v).toFixed(1) },
  { key: 'scene', label: 'scene %', fmt: (v) => (100 * v).toFixed(1) },
];

function runLabel(r: LoadedRun): string {
  return `${r.info.model}${r.info.trained ? '' : ' (UNTRAINED)'}`;
}

/** A cell: the value, and its interval `[lo, hi]` when the row has one for this column. */
function cell(r: TableRow, c: (typeof COLUMNS)[number]): string {
  const i = r.ci && c.key in r.ci ? r.ci[c.key as CiMetric] : undefined;
  return i ? `${c.fmt(r.row[c.key])} [${c.fmt(i.lo)}, ${c.fmt(i.hi)}]` : c.fmt(r.row[c.key]);
}

export function markdownTable(head: string, rows: readonly TableRow[]): string {
  const lines = [
    `| ${head} | ${COLUMNS.map((c) => c.label).join(' | ')} |`,
    `|---|${COLUMNS.map(() => '---:').join('|')}|`,
  ];
  for (const r of rows)
    lines.push(`| ${r.label} | ${COLUMNS.map((c) => cell(r, c)).join(' | ')} |`);
  return lines.join('\n');
}

function htmlTable(head: string, rows: readonly TableRow[]): string {
  const th = `<tr><th>${head}</th>${COLUMNS.map((c) => `<th>${c.label}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.label)}</td>${COLUMNS.map((c) => `<td>${esc(cell(r, c))}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table>${th}${body}</table>`;
}

/** Overall rows of the runs with their bootstrap intervals. */
export function overallRows(runs: readonly LoadedRun[], opts: BootstrapOptions = {}): TableRow[] {
  return runs.map((r) => ({
    label: `${runLabel(r)} (${r.records.length} cases)`,
    row: r.table[r.table.length - 1]!.row,
    ci: bootstrapMetrics(r.scores, opts),
  }));
}

function ciNote(opts: BootstrapOptions): string {
  const o = { ...DEFAULT_BOOTSTRAP, ...opts };
  return `Brackets: ${Math.round(100 * o.level)}% confidence intervals, percentile bootstrap over cases (${o.resamples} resamples, seed ${o.seed}); compare two runs with "bench compare A B" (paired intervals).`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface ReportOptions {
  readonly runs: readonly string[];
  readonly external?: string;
  /** Sample rows in the HTML page. */
  readonly samples?: number;
  readonly atlas?: Atlas;
  /** A `bench validate --out` file: its checks are included in the report. */
  readonly validation?: string;
  readonly bootstrap?: BootstrapOptions;
}

export interface Report {
  readonly markdown: string;
  readonly html: string;
  readonly runs: LoadedRun[];
}

export function buildReport(opts: ReportOptions): Report {
  if (opts.runs.length === 0) throw new Error('bench report needs at least one run folder');
  const external = opts.external
    ? {
        scores: parseExternalScores(JSON.parse(readFileSync(opts.external, 'utf8')), opts.external),
        source: opts.external,
      }
    : undefined;
  const runs = opts.runs.map((dir, i) => loadRun(dir, i === 0 ? external : undefined));
  const main = runs[0]!;
  const set = loadSet(main.info.set);
  const untrained = runs.filter((r) => !r.info.trained);

  const md: string[] = [];
  md.push(`# IMIG-Synth-Bench report: ${runLabel(main)} on set "${main.info.set}"`, '');
  md.push(
    `Set: ${set.description} Cases scored: ${main.records.length} of ${set.cases.length}.`,
    '',
  );
  if (untrained.length)
    md.push(
      `**Warning: ${untrained.map(runLabel).join(', ')} has random weights (trained: false); its figures test the harness and are not results.**`,
      '',
    );
  if (external)
    md.push(
      `External scores from ${opts.external} (evaluator "${external.scores.evaluator}") replace the built-in values they give, for ${runLabel(main)}.`,
      '',
    );
  md.push(
    'Metrics (COCO-MIG definitions, identity in place of colour): per-instance IoU is 0 when the identity check fails; I-SR = share of instances with IoU >= 0.5 and a passing identity check; SR = share of images whose every instance succeeds; overall pools all instances and images.',
    '',
  );
  const overall = overallRows(runs, opts.bootstrap);
  md.push('## Overall', '');
  md.push(markdownTable('run', overall), '', ciNote(opts.bootstrap ?? {}), '');
  for (const r of runs) {
    md.push(`## ${runLabel(r)} per level`, '');
    md.push(
      markdownTable(
        'level',
        r.table.map((t) => ({ label: t.level, row: t.row })),
      ),
      '',
    );
  }
  const validation = opts.validation
    ? (JSON.parse(readFileSync(opts.validation, 'utf8')) as ValidationResult)
    : null;
  if (validation) md.push('## Evaluator validation', '', validationMarkdown(validation), '');
  md.push(
    '## Evaluator calibration',
    '',
    '```json',
    JSON.stringify(main.info.calibration, null, 1),
    '```',
    '',
  );
  const markdown = md.join('\n');

  // HTML: the same tables, bar charts per metric and level, sample grids.
  const levels = main.table.map((t) => t.level);
  const charts = COLUMNS.filter((c) => !['images', 'instances'].includes(c.key)).map((c) => {
    const max = c.key === 'similarity' ? 100 : 1;
    return barChart(
      c.label.replace(' %', ''),
      levels,
      runs.map((r) => ({
        name: runLabel(r),
        values: levels.map((l) => r.table.find((t) => t.level === l)?.row[c.key] ?? 0),
      })),
      max,
    );
  });
  const samples = sampleGrids(main, set, opts.samples ?? 10, opts.atlas);
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>IMIG-Synth-Bench: ${esc(runLabel(main))}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px}table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:12px}.warn{background:#fee;padding:8px;border:1px solid #c00}img{image-rendering:pixelated}figure{margin:8px 0}figcaption{font-size:12px;color:#444}</style></head><body>
<h1>IMIG-Synth-Bench: ${esc(runLabel(main))} on "${esc(main.info.set)}"</h1>
<p>${esc(set.description)} Cases scored: ${main.records.length} of ${set.cases.length}.</p>
${untrained.length ? `<p class="warn">${esc(untrained.map(runLabel).join(', '))} has random weights (trained: false); its figures test the harness and are not results.</p>` : ''}
${external ? `<p>External scores from ${esc(opts.external!)} (evaluator "${esc(external.scores.evaluator)}") apply to ${esc(runLabel(main))}.</p>` : ''}
<h2>Overall</h2>${htmlTable('run', overall)}<p>${esc(ciNote(opts.bootstrap ?? {}))}</p>
<div class="charts">${charts.join('')}</div>
${runs
  .map(
    (r) =>
      `<h2>${esc(runLabel(r))} per level</h2>${htmlTable(
        'level',
        r.table.map((t) => ({ label: t.level, row: t.row })),
      )}`,
  )
  .join('')}
${validation ? `<h2>Evaluator validation</h2><pre>${esc(validationMarkdown(validation))}</pre>` : ''}
<h2>Samples: references | layout | generated | boxes (white: target, green: success, red: failure)</h2>
${samples}
</body></html>
`;
  return { markdown, html, runs };
}

function sampleGrids(
  run: LoadedRun,
  set: ReturnType<typeof loadSet>,
  count: number,
  atlas?: Atlas,
): string {
  if (count <= 0 || run.records.length === 0) return '';
  const byLevel = new Map<number, CaseRecord[]>();
  for (const r of run.records) byLevel.set(r.case.level, [...(byLevel.get(r.case.level) ?? []), r]);
  const picked: CaseRecord[] = [];
  for (let k = 0; picked.length < Math.min(count, run.records.length); k++) {
    for (const list of byLevel.values())
      if (list[k] && picked.length < count) picked.push(list[k]!);
  }
  const renderer = new CaseRenderer(atlas ?? loadAtlas(), set);
  return picked
    .map((rec) => {
      const r = renderer.render(rec.case);
      const gen = readPng(join(run.dir, rec.image));
      const row = sampleRow(
        r.references,
        r.layout,
        gen,
        r.boxes as Box[],
        rec.score.instances as never,
      );
      const big = resizeRaster(row, row.width * 2, row.height * 2);
      const inst = rec.score.instances
        .map(
          (s, j) =>
            `${rec.case.instances[j]!.identity}: IoU ${s.iou.toFixed(2)}, sim ${s.similarity.toFixed(0)}${s.identityPass ? '' : ' (identity fails)'}`,
        )
        .join('; ');
      return `<figure><img src="${pngDataUrl(big)}" alt="${esc(rec.case.id)}"><figcaption>${esc(rec.case.id)} (${esc(rec.case.scene)}, scene seen as ${esc(rec.score.scenePredicted ?? '?')}): ${esc(inst)}</figcaption></figure>`;
    })
    .join('\n');
}

export function writeReport(opts: ReportOptions): { markdown: string; html: string } {
  const report = buildReport(opts);
  const dir = opts.runs[0]!;
  const markdown = join(dir, 'report.md');
  const html = join(dir, 'report.html');
  writeFileSync(markdown, report.markdown);
  writeFileSync(html, report.html);
  return { markdown, html };
}
