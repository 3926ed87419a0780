/**
 * `npx tsx packages/server/src/main.ts [options]`: the same as `contextgen serve`.
 */
import { findModel } from '@contextgen/runtime';
import { parseCommand } from '@contextgen/core';
import { ArgsError, parseServeArgs, SERVE_COMMAND, SERVE_USAGE } from './args.ts';
import { isLoopback } from './http/security.ts';
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
  const all = options.host === '0.0.0.0' || options.host === '::';
  console.log(
    `contextgen server: ${server.url ?? 'no HTTP'}${all ? ' (every network interface)' : ''}, ${mode}, storage ${options.storageDir}` +
      (options.token ? ', token required' : '') +
      (options.http && !options.token && !isLoopback(options.host)
        ? ' -- WARNING: exposed without a token (--unsafe-expose-without-token)'
        : ''),
  );
  const stop = async (signal: string) => {
    console.log(
      `contextgen server: ${signal}: taking no new jobs; running jobs get ${options.drainMs / 1000} s to finish, the rest stay queued for the next start`,
    );
    await server.close(options.drainMs);
    console.log('contextgen server: stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`contextgen serve: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
