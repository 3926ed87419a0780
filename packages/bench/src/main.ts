/** `npx tsx packages/bench/src/main.ts <command> ...`: the bench command line (also `contextgen bench`). */
import { runBenchCli } from './cli.ts';

runBenchCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof Error && err.name === 'ArgsError' ? 2 : 1);
  },
);
