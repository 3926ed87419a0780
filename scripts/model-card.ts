/**
 * Writes measured benchmark figures into a model folder's model.json (`benchmarks`), so the model
 * card is produced by commands rather than typed by hand.
 *
 *   npx tsx scripts/model-card.ts MODEL_DIR --run heldout=runs/bench/heldout-embedded-100 \
 *     [--run heldoutBeforeDPO=runs/bench/heldout-sft-100] [--run trainIdentities=runs/bench/trainids-embedded-100] \
 *     [--ceiling runs/bench/heldout-gt] [--speed speed.json] [--validation runs/bench/validate.json]
 *
 * `--speed` takes the output of `npx tsx scripts/bench-cpu-speed.ts --json`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRun, type MetricRow } from '@contextgen/bench';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    run: { type: 'string', multiple: true, default: [] },
    ceiling: { type: 'string' },
    speed: { type: 'string' },
    validation: { type: 'string' },
  },
});
const modelDir = positionals[0];
if (!modelDir || values.run.length === 0) {
  console.error(
    'usage: model-card.ts MODEL_DIR --run NAME=RUN_DIR [--run ...] [--ceiling DIR] [--speed FILE]',
  );
  process.exit(2);
}

const round = (v: number, d = 3): number => Number(v.toFixed(d));
const figures = (row: MetricRow) => ({
  images: row.images,
  instances: row.instances,
  mIoU: round(row.mIoU),
  iSR: round(row.iSR),
  sr: round(row.SR),
  identitySim: round(row.similarity, 1),
  copyPaste: round(row.copyPaste),
  scene: round(row.scene),
});

function summarise(dir: string) {
  const run = loadRun(dir);
  const levels = run.table.filter((r) => r.level !== 'overall');
  const overall = run.table.find((r) => r.level === 'overall');
  if (!overall) throw new Error(`${dir}: no scored cases`);
  const l2to6 = levels.filter((r) => ['L2', 'L3', 'L4', 'L5', 'L6'].includes(r.level));
  return {
    model: run.info.model,
    set: run.info.set,
    run: dir,
    ...figures(overall.row),
    srMeanL2L6: l2to6.length ? round(l2to6.reduce((a, r) => a + r.row.SR, 0) / l2to6.length) : null,
    perLevel: Object.fromEntries(levels.map((r) => [r.level, figures(r.row)])),
  };
}

const manifestPath = join(modelDir, 'model.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
const benchmarks: Record<string, unknown> = { date: new Date().toISOString().slice(0, 10) };
for (const spec of values.run) {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new Error(`--run ${spec}: expected NAME=RUN_DIR`);
  benchmarks[spec.slice(0, eq)] = summarise(spec.slice(eq + 1));
}
if (values.ceiling)
  benchmarks.ceiling = { what: 'ground-truth targets', ...summarise(values.ceiling) };
if (values.speed) benchmarks.cpu = JSON.parse(readFileSync(values.speed, 'utf8'));
if (values.validation)
  benchmarks.evaluatorValidation = JSON.parse(readFileSync(values.validation, 'utf8'));
manifest.benchmarks = benchmarks;
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
console.log(
  `wrote benchmarks of ${Object.keys(benchmarks).length - 1} entries into ${manifestPath}`,
);
