/**
 * Entry of the single-file bundle (scripts/device/pack.sh): the same file is the CLI in the
 * main thread and the build worker in worker threads (worker.ts starts itself there).
 */
import { isMainThread } from 'node:worker_threads';
import { runDatasetCli } from './cli.ts';
import './worker.ts';

if (isMainThread)
  process.exitCode = await runDatasetCli(process.argv.slice(2), {
    workerUrl: new URL(import.meta.url),
  });
