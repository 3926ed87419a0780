/** Development entry: `npx tsx packages/dataset/src/main.ts build --count 100 --out data/x`. */
import { runDatasetCli } from './cli.ts';

process.exitCode = await runDatasetCli(process.argv.slice(2));
