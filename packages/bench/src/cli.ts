/** Argument parsing for the bench commands; the work happens in the modules it calls. */
import { mkdirSync, writeFileSync } from 'node:fs';
import {
  ArgsError,
  chooseSubcommand,
  commandUsage,
  groupUsage,
  parseCommand,
  parseIntegerArg,
  type CommandGroup,
  type CommandSpec,
  type OptionSpecs,
} from '@contextgen/core';
import { loadAtlas } from '@contextgen/dataset';
import { calibrate, writeCalibration } from './eval/calibrate.ts';
import { loadCalibration } from './eval/evaluators.ts';
import { IdentityNet } from './ident/identity-net.ts';
import { PAIR_KINDS, writePairs, type PairKind } from './ident/pairs.ts';
import { progressBar } from './progress.ts';
import { writeReport } from './report/report.ts';
import { comparisonMarkdown, compareRunFolders, MIN_COMPARE_CASES } from './report/compare.ts';
import { rescoreRun } from './run/rescore.ts';
import { runBench } from './run/runner.ts';
import { makeSets } from './sets/make-sets.ts';
import { loadSet } from './sets/set-files.ts';
import { validateEvaluators, validationMarkdown } from './validate/validate.ts';

const MAKE_SETS_COMMAND = {
  name: 'contextgen bench make-sets',
  synopsis: '[NAME...]',
  summary: 'render candidates and write bench/sets/*.json (fixed seeds)',
  options: {},
  positionals: { min: 0, max: Infinity, what: 'set names' },
} as const satisfies CommandSpec;

const CALIBRATE_COMMAND = {
  name: 'contextgen bench calibrate',
  synopsis: '[--limit N] [--set NAME]',
  summary:
    'fit the identity and scene evaluators on training identities -> bench/evaluators/calibration.json',
  options: {
    limit: { type: 'string', value: 'N', help: 'use the first N cases (default: all)' },
    set: { type: 'string', value: 'NAME', help: 'the calibration set (default calibration)' },
  },
} as const satisfies CommandSpec;

const RUN_COMMAND = {
  name: 'contextgen bench run',
  synopsis: '--model DIR|ground-truth|layout --set NAME --out DIR [options]',
  summary: 'generate and score every case; resumes an existing --out',
  options: {
    model: {
      type: 'string',
      value: 'DIR|ground-truth|layout',
      help: 'a model folder, or a baseline: ground-truth or layout (copy-paste) (required)',
    },
    set: { type: 'string', value: 'NAME', help: 'bench set under bench/sets (required)' },
    out: { type: 'string', value: 'DIR', help: 'run folder (required; resumed when it exists)' },
    limit: { type: 'string', value: 'N', help: 'run the first N cases only' },
    threads: { type: 'string', value: 'N', help: 'ONNX Runtime threads' },
    steps: { type: 'string', value: 'N', help: "sampling steps (default: the model's)" },
    'allow-untrained': { type: 'boolean', help: 'run a model marked trained: false' },
  },
} as const satisfies CommandSpec;

const VALIDATE_COMMAND = {
  name: 'contextgen bench validate',
  synopsis: '[--set NAME] [--limit N] [--out FILE]',
  summary:
    'evaluator validation figures on ground truth, swapped identities, blank and noise images',
  options: {
    set: { type: 'string', value: 'NAME', help: 'bench set (default heldout)' },
    limit: { type: 'string', value: 'N', help: 'use the first N cases (default: all)' },
    out: { type: 'string', value: 'FILE', help: 'also write the figures as JSON' },
  },
} as const satisfies CommandSpec;

const REPORT_COMMAND = {
  name: 'contextgen bench report',
  synopsis: 'DIR [DIR...] [options]',
  summary:
    'DIR/report.md and DIR/report.html from a run folder; further folders (e.g. ground-truth and layout runs) become extra rows',
  options: {
    external: { type: 'string', value: 'FILE', help: 'external results to add as rows' },
    samples: { type: 'string', value: 'N', help: 'sample rows in the HTML report' },
    validation: { type: 'string', value: 'FILE', help: 'evaluator validation JSON to include' },
    resamples: {
      type: 'string',
      value: 'N',
      help: 'bootstrap resamples of the 95% intervals (default 2000)',
    },
    seed: { type: 'string', value: 'S', help: 'bootstrap seed (default 1)' },
  },
  positionals: { min: 1, max: Infinity, what: 'run folders' },
  notes: 'Overall figures carry 95% bootstrap intervals over cases.',
} as const satisfies CommandSpec;

const IDENT_PAIRS_COMMAND = {
  name: 'contextgen bench ident-pairs',
  synopsis: '--out DIR [options]',
  summary:
    "training pairs for the identity network (training identities minus the calibration set's) -> DIR/pairs.bin, DIR/pairs.json",
  options: {
    out: { type: 'string', value: 'DIR', help: 'output folder (required)' },
    samples: { type: 'string', value: 'N', help: 'rendered samples (default 1500)' },
    first: { type: 'string', value: 'ID', help: 'first sample id (default 0)' },
    kinds: { type: 'string', value: 'K,K', help: `pair kinds: ${PAIR_KINDS.join(', ')}` },
    seed: { type: 'string', value: 'S', help: 'seed, >= 1 (default 1)' },
  },
} as const satisfies CommandSpec;

const RESCORE_COMMAND = {
  name: 'contextgen bench rescore',
  synopsis: 'DIR --out DIR2',
  summary: "score DIR's images again with the current evaluators into DIR2",
  options: { out: { type: 'string', value: 'DIR2', help: 'output run folder (required)' } },
  positionals: { min: 1, max: 1, what: 'run folder' },
} as const satisfies CommandSpec;

const COMPARE_COMMAND = {
  name: 'contextgen bench compare',
  synopsis: 'A B [options]',
  summary: `paired difference A - B per metric with its 95% bootstrap interval (at least ${MIN_COMPARE_CASES} shared cases unless --min-cases)`,
  options: {
    resamples: { type: 'string', value: 'N', help: 'bootstrap resamples (default 2000)' },
    seed: { type: 'string', value: 'S', help: 'bootstrap seed (default 1)' },
    'min-cases': { type: 'string', value: 'N', help: 'fewest shared cases accepted' },
    out: { type: 'string', value: 'FILE', help: 'also write the Markdown table' },
  },
  positionals: { min: 2, max: 2, what: 'run folders' },
} as const satisfies CommandSpec;

export const BENCH_GROUP: CommandGroup = {
  name: 'contextgen bench',
  summary: 'the IMIG-Synth benchmark',
  commands: [
    { word: 'make-sets', spec: MAKE_SETS_COMMAND },
    { word: 'calibrate', spec: CALIBRATE_COMMAND },
    { word: 'run', spec: RUN_COMMAND },
    { word: 'validate', spec: VALIDATE_COMMAND },
    { word: 'report', spec: REPORT_COMMAND },
    { word: 'compare', spec: COMPARE_COMMAND },
    { word: 'rescore', spec: RESCORE_COMMAND },
    { word: 'ident-pairs', spec: IDENT_PAIRS_COMMAND },
  ],
};

export const BENCH_USAGE = groupUsage(BENCH_GROUP);

/** Parsed arguments of one subcommand, or null after printing its help. */
function parsed<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  args: readonly string[],
  log: (l: string) => void,
) {
  const r = parseCommand(spec, args);
  if (r.help) {
    log(commandUsage(spec));
    return null;
  }
  return r;
}

/**
 * Run a `bench` subcommand; returns the exit code (0 done or help, 2 wrong usage or failed
 * validation checks). Wrong usage throws ArgsError; other failures propagate.
 */
export async function runBenchCli(
  argv: readonly string[],
  log: (line: string) => void = (line) => console.log(line),
): Promise<number> {
  const sub = chooseSubcommand(BENCH_GROUP, argv);
  if (sub.help) {
    log(BENCH_USAGE);
    return 0;
  }
  const rest = sub.rest;
  switch (sub.word) {
    case 'make-sets': {
      const a = parsed(MAKE_SETS_COMMAND, rest, log);
      if (a) makeSets(a.positionals, undefined, log);
      return 0;
    }
    case 'calibrate': {
      const a = parsed(CALIBRATE_COMMAND, rest, log);
      if (!a) return 0;
      const set = loadSet(a.values.set ?? 'calibration');
      const limit =
        a.values.limit !== undefined ? positiveInt('--limit', a.values.limit) : set.cases.length;
      const bar = progressBar('calibrate', Math.min(limit, set.cases.length));
      const net = await IdentityNet.load();
      const cal = await calibrate(loadAtlas(), set, net, {
        limit,
        onCase: () => bar.increment(),
      }).finally(() => net.dispose());
      bar.stop();
      log(
        `identity threshold ${cal.identity.threshold.toFixed(1)}; provenance ${JSON.stringify(cal.provenance)}`,
      );
      log(`wrote ${writeCalibration(cal)}`);
      return 0;
    }
    case 'run': {
      const a = parsed(RUN_COMMAND, rest, log);
      if (!a) return 0;
      const values = a.values;
      const { model, set, out } = values;
      if (model === undefined || set === undefined || out === undefined) {
        const missing = (['model', 'set', 'out'] as const).filter((k) => !values[k]);
        throw new ArgsError(
          `bench run needs ${missing.map((k) => `--${k}`).join(', ')}\n${commandUsage(RUN_COMMAND)}`,
        );
      }
      let bar: ReturnType<typeof progressBar> | null = null;
      const summary = await runBench({
        model,
        set,
        out,
        ...(values.limit !== undefined ? { limit: positiveInt('--limit', values.limit) } : {}),
        ...(values.threads !== undefined
          ? { threads: positiveInt('--threads', values.threads) }
          : {}),
        ...(values.steps !== undefined ? { steps: positiveInt('--steps', values.steps) } : {}),
        allowUntrained: values['allow-untrained'],
        onStart: (total, done) => {
          if (done > 0) log(`resuming: ${done} of ${total} cases already finished in ${out}`);
          bar = progressBar(`bench ${set}`, total);
        },
        onCase: () => bar?.increment(),
      });
      (bar as ReturnType<typeof progressBar> | null)?.stop();
      log(
        `${summary.model} on ${summary.set}: ${summary.generated} cases generated, ${summary.skipped} already done -> ${summary.out}`,
      );
      log(`report: npx contextgen bench report ${summary.out}`);
      return 0;
    }
    case 'validate': {
      const a = parsed(VALIDATE_COMMAND, rest, log);
      if (!a) return 0;
      const set = loadSet(a.values.set ?? 'heldout');
      const limit =
        a.values.limit !== undefined ? positiveInt('--limit', a.values.limit) : set.cases.length;
      const bar = progressBar('validate', Math.min(limit, set.cases.length));
      const net = await IdentityNet.load();
      const v = await validateEvaluators(loadAtlas(), set, loadCalibration(), net, {
        limit,
        onCase: () => bar.increment(),
      }).finally(() => net.dispose());
      bar.stop();
      log(validationMarkdown(v));
      if (a.values.out) {
        writeFileSync(a.values.out, `${JSON.stringify(v, null, 1)}\n`);
        log(`wrote ${a.values.out}`);
      }
      return v.checks.every((c) => c.ok) ? 0 : 2;
    }
    case 'ident-pairs': {
      const a = parsed(IDENT_PAIRS_COMMAND, rest, log);
      if (!a) return 0;
      const out = a.values.out;
      if (!out) throw new ArgsError('bench ident-pairs needs --out DIR');
      const samples = positiveInt('--samples', a.values.samples ?? '1500');
      const exclude = new Set(
        loadSet('calibration').cases.flatMap((c) => c.instances.map((i) => i.identity)),
      );
      mkdirSync(out, { recursive: true });
      const bar = progressBar('ident-pairs', samples);
      const { records } = writePairs(
        loadAtlas(),
        {
          samples,
          first: parseIntegerArg('--first', a.values.first ?? '0', 0, Number.MAX_SAFE_INTEGER),
          ...(a.values.kinds ? { kinds: pairKinds(a.values.kinds) } : {}),
          seed: positiveInt('--seed', a.values.seed ?? '1'),
          exclude,
          onSample: () => bar.increment(),
        },
        out,
      );
      bar.stop();
      log(
        `wrote ${records} pairs to ${out}/pairs.bin (${exclude.size} calibration identities excluded)`,
      );
      return 0;
    }
    case 'rescore': {
      const a = parsed(RESCORE_COMMAND, rest, log);
      if (!a) return 0;
      const out = a.values.out;
      if (!out) throw new ArgsError('bench rescore needs --out DIR2');
      let bar: ReturnType<typeof progressBar> | null = null;
      const r = await rescoreRun({
        from: a.positionals[0]!,
        out,
        onStart: (total) => (bar = progressBar('rescore', total)),
        onCase: () => bar?.increment(),
      });
      (bar as ReturnType<typeof progressBar> | null)?.stop();
      log(`${r.rescored} of ${r.cases} cases scored again -> ${out}`);
      return 0;
    }
    case 'compare': {
      const a = parsed(COMPARE_COMMAND, rest, log);
      if (!a) return 0;
      const boot = bootstrapArgs(a.values);
      const c = compareRunFolders(a.positionals[0]!, a.positionals[1]!, {
        ...boot,
        ...(a.values['min-cases'] !== undefined
          ? { minCases: positiveInt('--min-cases', a.values['min-cases']) }
          : {}),
      });
      const md = comparisonMarkdown(c, boot);
      log(md);
      if (a.values.out) {
        writeFileSync(a.values.out, `${md}\n`);
        log(`wrote ${a.values.out}`);
      }
      return 0;
    }
    default: {
      const a = parsed(REPORT_COMMAND, rest, log);
      if (!a) return 0;
      const written = writeReport({
        runs: a.positionals,
        ...(a.values.external ? { external: a.values.external } : {}),
        ...(a.values.validation ? { validation: a.values.validation } : {}),
        ...(a.values.samples !== undefined
          ? { samples: positiveInt('--samples', a.values.samples) }
          : {}),
        bootstrap: bootstrapArgs(a.values),
      });
      log(`wrote ${written.markdown} and ${written.html}`);
      return 0;
    }
  }
}

/** --kinds genuine,noise,... for ident-pairs. */
function pairKinds(text: string): Set<PairKind> {
  const kinds = text.split(',').map((k) => k.trim());
  for (const k of kinds)
    if (!(PAIR_KINDS as readonly string[]).includes(k))
      throw new ArgsError(
        `--kinds: unknown pair kind "${k}"; use some of ${PAIR_KINDS.join(', ')}`,
      );
  return new Set(kinds as PairKind[]);
}

/** --resamples and --seed of the bootstrap intervals. */
function bootstrapArgs(values: { resamples?: string | undefined; seed?: string | undefined }): {
  resamples?: number;
  seed?: number;
} {
  return {
    ...(values.resamples !== undefined
      ? { resamples: positiveInt('--resamples', values.resamples) }
      : {}),
    ...(values.seed !== undefined
      ? { seed: parseIntegerArg('--seed', values.seed, 0, Number.MAX_SAFE_INTEGER) }
      : {}),
  };
}

/** Parses a whole number >= 1 for an option, naming the option when it is not one. */
export function positiveInt(option: string, text: string): number {
  return parseIntegerArg(option, text, 1, Infinity);
}
