/** `contextgen dataset ...` and `contextgen bench ...`: the packages' own command groups. */
import { runBenchCli } from '@contextgen/bench';
import { runDatasetCli } from '@contextgen/dataset';
import type { Io } from '../io.ts';

export function runDataset(argv: string[], io: Io): Promise<number> {
  return runDatasetCli(argv, { log: io.out, error: io.err });
}

export function runBench(argv: string[], io: Io): Promise<number> {
  return runBenchCli(argv, io.out);
}
