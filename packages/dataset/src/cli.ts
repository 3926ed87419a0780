/**
 * `contextgen dataset build|preview|atlas|heldout`: argument parsing only (the shared parser of
 * @contextgen/core); the work lives in build.ts, preview.ts, atlas-file.ts and heldout-file.ts.
 */ import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import {
  ArgsError,
  chooseSubcommand,
  commandUsage,
  groupUsage,
  MAX_SEED,
  parseChoiceArg,
  parseCommand,
  parseIntegerArg,
  type CommandGroup,
  type CommandSpec,
  type OptionSpecs,
} from '@contextgen/core';
import { buildDataset } from './build.ts';
import { buildAtlasFromPackage, writeAtlasFile } from './atlas-file.ts';
import type { Split } from './heldout.ts';
import { writePreview } from './preview.ts';

const BUILD_COMMAND = {
  name: 'contextgen dataset build',
  synopsis: '--count N --out DIR [options]',
  summary: 'render IMIG-Synth samples into shards (resumes a partial --out)',
  options: {
    count: { type: 'string', value: 'N', help: 'how many samples (required)' },
    out: { type: 'string', value: 'DIR', help: 'output folder (required)' },
    size: { type: 'string', value: 'PX', help: 'target image side (default 128)' },
    'ref-size': { type: 'string', value: 'PX', help: 'reference image side (default 64)' },
    seed: {
      type: 'string',
      value: 'S',
      help: 'data seed (default 0); the same seed gives the same bytes',
    },
    split: { type: 'string', value: 'train|heldout', help: 'which identities (default train)' },
    workers: {
      type: 'string',
      value: 'K',
      help: 'worker threads (default: the cores, at most 16)',
    },
    'shard-size': { type: 'string', value: 'N', help: 'samples per shard (default 250)' },
    levels: {
      type: 'string',
      value: 'A-B',
      help: 'instances per sample, e.g. 1-8 or 4 (default 1-8)',
    },
    atlas: {
      type: 'string',
      value: 'FILE',
      help: 'emoji atlas file (default: built from the emoji package)',
    },
    quiet: { type: 'boolean', help: 'no progress bar' },
  },
} as const satisfies CommandSpec;

const PREVIEW_COMMAND = {
  name: 'contextgen dataset preview',
  synopsis: 'DIR -o sheet.png [--samples 6]',
  summary: 'contact sheet of a dataset: target, boxes, layout image, masks, references',
  options: {
    out: { type: 'string', short: 'o', value: 'FILE', help: 'PNG to write (required)' },
    samples: { type: 'string', value: 'N', help: 'how many samples (default 6)' },
  },
  positionals: { min: 1, max: 1, what: 'dataset folder' },
} as const satisfies CommandSpec;

const ATLAS_COMMAND = {
  name: 'contextgen dataset atlas',
  synopsis: '--out FILE',
  summary: 'write the emoji atlas (.bin raw, .gz or .br compressed) for the GPU bundle',
  options: { out: { type: 'string', value: 'FILE', help: 'atlas file to write (required)' } },
} as const satisfies CommandSpec;

const HELDOUT_COMMAND = {
  name: 'contextgen dataset heldout',
  synopsis: '',
  summary: 'rewrite packages/dataset/heldout.json',
  options: {},
} as const satisfies CommandSpec;

export const DATASET_GROUP: CommandGroup = {
  name: 'contextgen dataset',
  summary: 'the IMIG-Synth data set',
  commands: [
    { word: 'build', spec: BUILD_COMMAND },
    { word: 'preview', spec: PREVIEW_COMMAND },
    { word: 'atlas', spec: ATLAS_COMMAND },
    { word: 'heldout', spec: HELDOUT_COMMAND },
  ],
};

export const DATASET_USAGE = groupUsage(DATASET_GROUP);

export interface CliOptions {
  /** Worker script for builds (the bundle passes its own URL). */
  readonly workerUrl?: URL;
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
}

function intFlag(
  name: string,
  raw: string | undefined,
  fallback: number,
  min = 1,
  max = 1e9,
): number {
  return raw === undefined ? fallback : parseIntegerArg(`--${name}`, raw, min, max);
}

function levelsFlag(raw: string | undefined): [number, number] {
  if (raw === undefined) return [1, 8];
  const m = /^(\d+)(?:-(\d+))?$/.exec(raw);
  if (!m) throw new ArgsError(`--levels must look like "1-8" or "4", got "${raw}"`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi < lo)
    throw new ArgsError(`--levels must be 1 or more, low before high (e.g. 1-8), got "${raw}"`);
  return [lo, hi];
}

async function buildCommand(args: string[], opts: CliOptions): Promise<void> {
  const { values } = parsed(BUILD_COMMAND, args);
  if (values.count === undefined || values.out === undefined)
    throw new ArgsError(
      `dataset build needs --count N and --out DIR\n${commandUsage(BUILD_COMMAND)}`,
    );
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
    size: intFlag('size', values.size, 128, 16, 4096),
    refSize: intFlag('ref-size', values['ref-size'], 64, 8, 4096),
    seed: intFlag('seed', values.seed, 0, 0, MAX_SEED),
    split: parseChoiceArg<Split>('--split', values.split ?? 'train', ['train', 'heldout']),
    workers: intFlag(
      'workers',
      values.workers,
      Math.max(1, Math.min(availableParallelism(), 16)),
      1,
      256,
    ),
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

/** Parse one subcommand's arguments; help is signalled with HelpShown. */
class HelpShown extends Error {
  constructor(readonly text: string) {
    super(text);
  }
}

function parsed<O extends OptionSpecs>(spec: CommandSpec<O>, args: string[]) {
  const r = parseCommand(spec, args);
  if (r.help) throw new HelpShown(commandUsage(spec));
  return r;
}

function previewCommand(args: string[], opts: CliOptions): void {
  const { values, positionals } = parsed(PREVIEW_COMMAND, args);
  const dir = positionals[0]!;
  if (values.out === undefined)
    throw new ArgsError(`dataset preview needs -o sheet.png\n${commandUsage(PREVIEW_COMMAND)}`);
  const r = writePreview(dir, values.out, intFlag('samples', values.samples, 6, 1, 64));
  (opts.log ?? console.log)(`wrote ${values.out} (${r.samples} samples, ${r.width}x${r.height})`);
}

/**
 * Run a `dataset` subcommand; returns the process exit code: 0 done (or help shown), 2 wrong
 * usage (the message says what to type), 1 failure.
 */
export async function runDatasetCli(
  argv: readonly string[],
  opts: CliOptions = {},
): Promise<number> {
  const log = opts.log ?? console.log;
  const error = opts.error ?? console.error;
  let command = '';
  try {
    const sub = chooseSubcommand(DATASET_GROUP, argv);
    if (sub.help) {
      log(DATASET_USAGE);
      return 0;
    }
    command = sub.word;
    const rest = sub.rest;
    if (command === 'build') await buildCommand(rest, opts);
    else if (command === 'preview') previewCommand(rest, opts);
    else if (command === 'atlas') {
      const { values } = parsed(ATLAS_COMMAND, rest);
      if (values.out === undefined)
        throw new ArgsError(`dataset atlas needs --out FILE\n${commandUsage(ATLAS_COMMAND)}`);
      const atlas = buildAtlasFromPackage();
      writeAtlasFile(values.out, atlas);
      log(
        `wrote ${values.out} (${atlas.identities.length} identities, ${atlas.heldout.length} held out)`,
      );
    } else {
      parsed(HELDOUT_COMMAND, rest);
      const { writeHeldoutFile, HELDOUT_PATH } = await import('./heldout-file.ts');
      const f = writeHeldoutFile();
      log(`wrote ${HELDOUT_PATH}: ${f.count} of ${f.identities} identities held out`);
    }
    return 0;
  } catch (err) {
    if (err instanceof HelpShown) {
      log(err.text);
      return 0;
    }
    const where = command ? `dataset ${command}` : 'dataset';
    error(`error: ${where}: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof ArgsError ? 2 : 1;
  }
}
