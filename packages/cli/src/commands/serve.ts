/** `contextgen serve [...]`: @contextgen/server's options and server; runs until SIGINT/SIGTERM. */
import { parseCommand } from '@contextgen/core';
import { findModel } from '@contextgen/runtime';
import { parseServeArgs, serve, SERVE_COMMAND, SERVE_USAGE } from '@contextgen/server';
import type { Io } from '../io.ts';

export async function runServe(argv: string[], io: Io): Promise<number> {
  if (parseCommand(SERVE_COMMAND, argv).help) {
    io.out(SERVE_USAGE);
    return 0;
  }
  const options = parseServeArgs(argv, process.env, () =>
    findModel({ env: process.env.CONTEXTGEN_MODEL }),
  );
  const server = await serve(options);
  io.out(
    `contextgen server listening on ${server.url ?? '(no HTTP: worker only)'}; Ctrl-C stops it`,
  );
  await new Promise<void>((done) => {
    const stop = (): void => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
