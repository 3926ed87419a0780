/**
 * `dataset` commands (argument parsing only; the work lives in build.ts, preview.ts, ...):
 *   build   --count N --out DIR [--size 128] [--ref-size 64] [--seed 0] [--split train|heldout]
 *           [--workers K] [--shard-size 250] [--levels 1-8] [--atlas FILE]
 *   preview DIR -o sheet.png [--samples 6]
 *   atlas   --out FILE(.bin|.gz|.br)       write the emoji atlas (for the GPU bundle)
 *   heldout                                 regenerate packages/dataset/heldout.json
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { buildDataset } from './build.ts';
import { buildAtlasFromPackage, writeAtlasFile } from './atlas-file.ts';
import type { Split } from './heldout.ts';
import { writePreview } from './preview.ts';

export const DATASET_USAGE = `usage:
  dataset build --count N --out DIR [--size 128] [--ref-size 64] [--seed 0] [--split train|heldout]
                [--workers K] [--shard-size 250] [--levels 1-8] [--atlas FILE]
  dataset preview DIR -o sheet.png [--samples 6]
  dataset atlas --out FILE            (.bin raw, .gz or .br compressed)
  dataset heldout                     (rewrite packages/dataset/heldout.json)`;

export interface CliOptions {
  /** Worker script for builds (the bundle passes its own URL). */
  readonly workerUrl?: URL;
  readonly log?: (line: string) => void;
}

function intFlag(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v)) throw new Error(`--${name} must be an integer, got "${raw}"`);
  return v;
}

function levelsFlag(raw: string | undefined): [number, number] {
  if (raw === undefined) return [1, 8];
  const m = /^(\d+)(?:-(\d+))?$/.exec(raw);
  if (!m) throw new Error(`--levels must look like "1-8" or "4", got "${raw}"`);
  const lo = Number(m[1]);
  return [lo, m[2] === undefined ? lo : Number(m[2])];
}

async function buildCommand(args: string[], opts: CliOptions): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      count: { type: 'string' },
      out: { type: 'string' },
      size: { type: 'string' },
      'ref-size': { type: 'string' },
      seed: { type: 'string' },
      split: { type: 'string' },
      workers: { type: 'string' },
      'shard-size': { type: 'string' },
      levels: { type: 'string' },
      atlas: { type: 'string' },
      quiet: { type: 'boolean' },
    },
  });
  if (values.count === undefined || values.out === undefined)
    throw new Error(`build needs --count and --out\n${DATASET_USAGE}`);
  const log = opts.log ?? console.log;
  const bar = values.quiet
    ? null
    : new cliProgress.SingleBar(
        { format: 'dataset {bar} {value}/{total} samples | {rate}/s | eta {eta}s', etaBuffer: 200 },
        cliProgress.Presets.shades_classic,
      );
  const started = performance.now();
  let barStarted = false;
  const result = await buildDataset({
    out: values.out,
    count: intFlag('count', values.count, 0),
    size: intFlag('size', values.size, 128),
    refSize: intFlag('ref-size', values['ref-size'], 64),
    seed: intFlag('seed', values.seed, 0),
    split: (values.split ?? 'train') as Split,
    workers: intFlag('workers', values.workers, Math.max(1, Math.min(availableParallelism(), 16))),
    shardSize: intFlag('shard-size', values['shard-size'], 250),
    levels: levelsFlag(values.levels),
    atlasPath: values.atlas,
    workerUrl: opts.workerUrl,
    onProgress: (done, total) => {
      if (!bar) return;
      if (!barStarted) {
        bar.start(total, done, { rate: '0' });
        barStarted = true;
      }
      const s = (performance.now() - started) / 1000;
      bar.update(done, { rate: (done / Math.max(s, 1e-3)).toFixed(0) });
    },
  });
  bar?.stop();
  const perSample = result.meta.count > 0 ? result.bytes / result.meta.count : 0;
  log(
    `${result.complete ? 'done' : 'partial'}: ${result.renderedSamples} samples rendered (${result.reusedShards} shards reused) ` +
      `in ${result.seconds.toFixed(1)} s = ${result.samplesPerSecond.toFixed(1)} samples/s; ` +
      `${(result.bytes / 2 ** 20).toFixed(1)} MiB, ${(perSample / 1024).toFixed(1)} KiB/sample -> ${values.out}`,
  );
}

function previewCommand(args: string[], opts: CliOptions): void {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, samples: { type: 'string' } },
  });
  const dir = positionals[0];
  if (dir === undefined || values.out === undefined)
    throw new Error(`preview needs a dataset folder and -o sheet.png\n${DATASET_USAGE}`);
  const r = writePreview(dir, values.out, intFlag('samples', values.samples, 6));
  (opts.log ?? console.log)(`wrote ${values.out} (${r.samples} samples, ${r.width}x${r.height})`);
}

/** Run a `dataset` subcommand; returns the process exit code. */
export async function runDatasetCli(
  argv: readonly string[],
  opts: CliOptions = {},
): Promise<number> {
  const [command, ...rest] = argv;
  const log = opts.log ?? console.log;
  try {
    if (command === 'build') await buildCommand(rest, opts);
    else if (command === 'preview') previewCommand(rest, opts);
    else if (command === 'atlas') {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } } });
      if (values.out === undefined) throw new Error(`atlas needs --out FILE\n${DATASET_USAGE}`);
      const atlas = buildAtlasFromPackage();
      writeAtlasFile(values.out, atlas);
      log(
        `wrote ${values.out} (${atlas.identities.length} identities, ${atlas.heldout.length} held out)`,
      );
    } else if (command === 'heldout') {
      const { writeHeldoutFile, HELDOUT_PATH } = await import('./heldout-file.ts');
      const f = writeHeldoutFile();
      log(`wrote ${HELDOUT_PATH}: ${f.count} of ${f.identities} identities held out`);
    } else {
      log(DATASET_USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
    }
    return 0;
  } catch (err) {
    console.error(`dataset ${command}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
