/** Argument parsing for the bench commands; the work happens in the modules it calls. */
import { parseArgs } from 'node:util';
import { loadAtlas } from '@contextgen/dataset';
import { makeSets } from './sets/make-sets.ts';
import { loadSet } from './sets/set-files.ts';
import { calibrate, writeCalibration } from './eval/calibrate.ts';
import { progressBar } from './progress.ts';

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
  report DIR [--external FILE] [--samples N]
                                      DIR/report.md and DIR/report.html from a run folder`;

export async function runBenchCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const log = (line: string) => console.log(line);
  switch (command) {
    case 'make-sets': {
      makeSets(rest, undefined, log);
      return 0;
    }
    case 'calibrate': {
      const { values } = parseArgs({ args: [...rest], options: { limit: { type: 'string' }, set: { type: 'string', default: 'calibration' } } });
      const set = loadSet(values.set!);
      const limit = values.limit !== undefined ? positiveInt('--limit', values.limit) : set.cases.length;
      const bar = progressBar('calibrate', Math.min(limit, set.cases.length));
      const cal = calibrate(loadAtlas(), set, { limit, onCase: () => bar.increment() });
      bar.stop();
      log(`identity threshold ${cal.identity.threshold.toFixed(1)}; provenance ${JSON.stringify(cal.provenance)}`);
      log(`wrote ${writeCalibration(cal)}`);
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

/** Parses a whole number >= 1 for an option, naming the option when it is not one. */
export function positiveInt(option: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${option} must be a whole number >= 1, got "${text}"`);
  return v;
}
