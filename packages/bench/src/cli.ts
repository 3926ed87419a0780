/** Argument parsing for the bench commands; the work happens in the modules it calls. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadAtlas } from '@contextgen/dataset';
import { calibrate, writeCalibration } from './eval/calibrate.ts';
import { loadCalibration } from './eval/evaluators.ts';
import { IdentityNet } from './ident/identity-net.ts';
import { progressBar } from './progress.ts';
import { writeReport } from './report/report.ts';
import { comparisonMarkdown, compareRunFolders, MIN_COMPARE_CASES } from './report/compare.ts';
import { rescoreRun } from './run/rescore.ts';
import { runBench } from './run/runner.ts';
import { makeSets } from './sets/make-sets.ts';
import { loadSet } from './sets/set-files.ts';
import { validateEvaluators, validationMarkdown } from './validate/validate.ts';
import { PAIR_KINDS, writePairs } from './ident/pairs.ts';
import type { PairKind } from './ident/pairs.ts';
import { mkdirSync } from 'node:fs';

export const BENCH_USAGE = `usage: bench <command> [options]

commands:
  make-sets [NAME...]                 render candidates and write bench/sets/*.json (fixed seeds)
  calibrate [--limit N]               fit the identity and scene evaluators on training identities
                                      -> bench/evaluators/calibration.json
  run --model DIR|ground-truth|layout --set NAME --out DIR [--limit N] [--threads N] [--allow-untrained]
                                      generate and score every case; resumes an existing --out
  validate [--set NAME] [--limit N] [--out FILE]
                                      evaluator validation figures on ground truth, swapped
                                      identities, blank and noise images
  ident-pairs --out DIR [--samples N] [--first ID] [--seed S] [--kinds K,K]
                                      training pairs for the identity network (training identities
                                      minus the calibration set's) -> DIR/pairs.bin, DIR/pairs.json
  rescore DIR --out DIR2               score DIR's images again with the current evaluators into DIR2
  report DIR [DIR...] [--external FILE] [--samples N] [--validation FILE] [--resamples N] [--seed S]
                                      DIR/report.md and DIR/report.html from a run folder; further
                                      folders (e.g. ground-truth and layout runs) become extra rows;
                                      overall figures carry 95% bootstrap intervals over cases
  compare A B [--resamples N] [--seed S] [--min-cases N] [--out FILE]
                                      paired difference A - B per metric with its 95% bootstrap
                                      interval (at least ${MIN_COMPARE_CASES} shared cases unless --min-cases)`;

export async function runBenchCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const log = (line: string) => console.log(line);
  switch (command) {
    case 'make-sets': {
      makeSets(rest, undefined, log);
      return 0;
    }
    case 'calibrate': {
      const { values } = parseArgs({
        args: [...rest],
        options: { limit: { type: 'string' }, set: { type: 'string', default: 'calibration' } },
      });
      const set = loadSet(values.set!);
      const limit =
        values.limit !== undefined ? positiveInt('--limit', values.limit) : set.cases.length;
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
      const { values } = parseArgs({
        args: [...rest],
        options: {
          model: { type: 'string' },
          set: { type: 'string' },
          out: { type: 'string' },
          limit: { type: 'string' },
          threads: { type: 'string' },
          steps: { type: 'string' },
          'allow-untrained': { type: 'boolean', default: false },
        },
      });
      for (const k of ['model', 'set', 'out'] as const) {
        if (!values[k]) throw new Error(`bench run needs --${k}\n\n${BENCH_USAGE}`);
      }
      let bar: ReturnType<typeof progressBar> | null = null;
      const summary = await runBench({
        model: values.model!,
        set: values.set!,
        out: values.out!,
        ...(values.limit !== undefined ? { limit: positiveInt('--limit', values.limit) } : {}),
        ...(values.threads !== undefined
          ? { threads: positiveInt('--threads', values.threads) }
          : {}),
        ...(values.steps !== undefined ? { steps: positiveInt('--steps', values.steps) } : {}),
        allowUntrained: values['allow-untrained'],
        onStart: (total, done) => {
          if (done > 0)
            log(`resuming: ${done} of ${total} cases already finished in ${values.out}`);
          bar = progressBar(`bench ${values.set}`, total);
        },
        onCase: () => bar?.increment(),
      });
      (bar as ReturnType<typeof progressBar> | null)?.stop();
      log(
        `${summary.model} on ${summary.set}: ${summary.generated} cases generated, ${summary.skipped} already done -> ${summary.out}`,
      );
      log(`report: npx tsx packages/bench/src/main.ts report ${summary.out}`);
      return 0;
    }
    case 'validate': {
      const { values } = parseArgs({
        args: [...rest],
        options: {
          set: { type: 'string', default: 'heldout' },
          limit: { type: 'string' },
          out: { type: 'string' },
        },
      });
      const set = loadSet(values.set!);
      const limit =
        values.limit !== undefined ? positiveInt('--limit', values.limit) : set.cases.length;
      const bar = progressBar('validate', Math.min(limit, set.cases.length));
      const net = await IdentityNet.load();
      const v = await validateEvaluators(loadAtlas(), set, loadCalibration(), net, {
        limit,
        onCase: () => bar.increment(),
      }).finally(() => net.dispose());
      bar.stop();
      const md = validationMarkdown(v);
      log(md);
      if (values.out) {
        writeFileSync(values.out, `${JSON.stringify(v, null, 1)}\n`);
        log(`wrote ${values.out}`);
      }
      return v.checks.every((c) => c.ok) ? 0 : 2;
    }
    case 'ident-pairs': {
      const { values } = parseArgs({
        args: [...rest],
        options: {
          out: { type: 'string' },
          samples: { type: 'string', default: '1500' },
          first: { type: 'string', default: '0' },
          kinds: { type: 'string' },
          seed: { type: 'string', default: '1' },
        },
      });
      if (!values.out) throw new Error(`bench ident-pairs needs --out\n\n${BENCH_USAGE}`);
      const samples = positiveInt('--samples', values.samples!);
      const exclude = new Set(
        loadSet('calibration').cases.flatMap((c) => c.instances.map((i) => i.identity)),
      );
      mkdirSync(values.out, { recursive: true });
      const bar = progressBar('ident-pairs', samples);
      const { records } = writePairs(
        loadAtlas(),
        {
          samples,
          first: Number.parseInt(values.first!, 10) || 0,
          ...(values.kinds ? { kinds: pairKinds(values.kinds) } : {}),
          seed: positiveInt('--seed', values.seed!),
          exclude,
          onSample: () => bar.increment(),
        },
        values.out,
      );
      bar.stop();
      log(
        `wrote ${records} pairs to ${values.out}/pairs.bin (${exclude.size} calibration identities excluded)`,
      );
      return 0;
    }
    case 'rescore': {
      const { values, positionals } = parseArgs({
        args: [...rest],
        allowPositionals: true,
        options: { out: { type: 'string' } },
      });
      if (positionals.length !== 1 || !values.out)
        throw new Error(`bench rescore needs a run folder and --out\n\n${BENCH_USAGE}`);
      let bar: ReturnType<typeof progressBar> | null = null;
      const r = await rescoreRun({
        from: positionals[0]!,
        out: values.out,
        onStart: (total) => (bar = progressBar('rescore', total)),
        onCase: () => bar?.increment(),
      });
      (bar as ReturnType<typeof progressBar> | null)?.stop();
      log(`${r.rescored} of ${r.cases} cases scored again -> ${values.out}`);
      return 0;
    }
    case 'compare': {
      const { values, positionals } = parseArgs({
        args: [...rest],
        allowPositionals: true,
        options: {
          resamples: { type: 'string' },
          seed: { type: 'string' },
          'min-cases': { type: 'string' },
          out: { type: 'string' },
        },
      });
      if (positionals.length !== 2)
        throw new Error(`bench compare needs two run folders\n\n${BENCH_USAGE}`);
      const boot = bootstrapArgs(values);
      const c = compareRunFolders(positionals[0]!, positionals[1]!, {
        ...boot,
        ...(values['min-cases'] !== undefined
          ? { minCases: positiveInt('--min-cases', values['min-cases']) }
          : {}),
      });
      const md = comparisonMarkdown(c, boot);
      log(md);
      if (values.out) {
        writeFileSync(values.out, `${md}\n`);
        log(`wrote ${values.out}`);
      }
      return 0;
    }
    case 'report': {
      const { values, positionals } = parseArgs({
        args: [...rest],
        allowPositionals: true,
        options: {
          external: { type: 'string' },
          samples: { type: 'string' },
          validation: { type: 'string' },
          resamples: { type: 'string' },
          seed: { type: 'string' },
        },
      });
      if (positionals.length === 0)
        throw new Error(`bench report needs a run folder\n\n${BENCH_USAGE}`);
      const written = writeReport({
        runs: positionals,
        ...(values.external ? { external: values.external } : {}),
        ...(values.validation ? { validation: values.validation } : {}),
        ...(values.samples !== undefined ? { samples: Number(values.samples) } : {}),
        bootstrap: bootstrapArgs(values),
      });
      log(`wrote ${written.markdown} and ${written.html}`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(BENCH_USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`unknown bench command "${command}"\n\n${BENCH_USAGE}`);
      return 1;
  }
}

/** --kinds genuine,noise,... for ident-pairs. */
function pairKinds(text: string): Set<PairKind> {
  const kinds = text.split(',').map((k) => k.trim());
  for (const k of kinds)
    if (!(PAIR_KINDS as readonly string[]).includes(k))
      throw new Error(`--kinds: unknown pair kind "${k}"; use some of ${PAIR_KINDS.join(', ')}`);
  return new Set(kinds as PairKind[]);
}

/** --resamples and --seed of the bootstrap intervals. */
function bootstrapArgs(values: { resamples?: string; seed?: string }): {
  resamples?: number;
  seed?: number;
} {
  const seed = values.seed !== undefined ? Number(values.seed) : undefined;
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0))
    throw new Error(`--seed must be a whole number >= 0, got "${values.seed}"`);
  return {
    ...(values.resamples !== undefined
      ? { resamples: positiveInt('--resamples', values.resamples) }
      : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** Parses a whole number >= 1 for an option, naming the option when it is not one. */
export function positiveInt(option: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`${option} must be a whole number >= 1, got "${text}"`);
  return v;
}
