/**
 * `npx tsx packages/server/src/main.ts [options]`: the same as `contextgen serve`.
 */
import { findModel } from '@contextgen/runtime';
import { parseCommand } from '@contextgen/core';
import { ArgsError, parseServeArgs, SERVE_COMMAND, SERVE_USAGE } from './args.ts';
import { serve } from './serve.ts';

async function main(): Promise<void> {
  let options;
  try {
    if (parseCommand(SERVE_COMMAND, process.argv.slice(2)).help) {
      console.log(SERVE_USAGE);
      return;
    }
    options = parseServeArgs(process.argv.slice(2), process.env, () =>
      findModel({ env: process.env.CONTEXTGEN_MODEL }),
    );
  } catch (err) {
    console.error(
      err instanceof ArgsError ? err.message : String(err instanceof Error ? err.message : err),
    );
    process.exit(2);
  }
  const server = await serve(options);
  const mode = options.redis
    ? `redis queue${options.worker ? ' + worker' : ''}${options.http ? '' : ' (worker only)'}`
    : 'in-process queue';
  console.log(
    `contextgen server: ${server.url ?? 'no HTTP'}, ${mode}, storage ${options.storageDir}`,
  );
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`contextgen serve: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
