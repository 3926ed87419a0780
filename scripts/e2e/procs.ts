/**
 * Real server processes for the end-to-end fault tests: free ports, `main.ts` children with
 * their output kept, waiting, stopping.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fetchJson, TINY_MODEL, type Json } from '../../packages/server/src/test-util.ts';

export const MAIN = join(import.meta.dirname, '..', '..', 'packages', 'server', 'src', 'main.ts');

export const REDIS = spawnSync('sh', ['-c', 'command -v redis-server'], {
  encoding: 'utf8',
}).stdout.trim();

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}

export async function waitFor<T>(
  what: string,
  f: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
}

/** `main.ts` on the tiny model with --allow-untrained plus `args`. */
export function startServer(
  args: readonly string[],
  env: Record<string, string> = {},
  log: string[] = [],
): ServerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, '--model', TINY_MODEL, '--allow-untrained', ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const own: string[] = [];
  const keep = (prefix: string) => (d: Buffer) => {
    own.push(d.toString());
    log.push(`[${child.pid}${prefix}] ${d}`);
  };
  child.stdout!.on('data', keep(''));
  child.stderr!.on('data', keep(' err'));
  return { child, output: () => own.join('') };
}

export async function stop(c: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  c.kill(signal);
  await Promise.race([once(c, 'exit'), new Promise((r) => setTimeout(r, 8000))]);
  if (c.exitCode === null && c.signalCode === null) {
    c.kill('SIGKILL');
    await once(c, 'exit');
  }
}

/** A redis-server without persistence on `port`. */
export function startRedis(port: number, dir: string): ChildProcess {
  return spawn(
    REDIS,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
}

export type { Json };

export const FINAL = ['succeeded', 'failed', 'cancelled'];

/** A fetch answer whose JSON is loosely typed (tests read what they assert). */
export type JsonResponse = Omit<Response, 'json'> & { json(): Promise<Json> };

/** A fetch's answer as loosely typed JSON: the server tests' helper, under a shorter name. */
export { fetchJson as json };

export function postJob(
  base: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  return fetch(`${base}/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
