/**
 * Redis mode end to end, with real processes: an API-only server and worker processes that
 * share a BullMQ queue through a redis-server this test starts on a free loopback port.
 * A worker is killed (SIGKILL) mid-job; another worker picks the job up and finishes it.
 * Skips (with the reason) only when redis-server is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discPng, fetchJson, TINY_MODEL } from '../../packages/server/src/test-util.ts';
import { FINAL, freePort, MAIN, REDIS, startRedis, stop, waitFor } from './procs.ts';

function startServer(args: string[], env: Record<string, string>, log: string[]): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, '--model', TINY_MODEL, '--allow-untrained', '--quiet', ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (d: Buffer) => log.push(`[${child.pid}] ${d}`));
  child.stderr!.on('data', (d: Buffer) => log.push(`[${child.pid} err] ${d}`));
  return child;
}

test(
  'redis mode: a worker killed mid-job loses nothing; another worker completes it',
  {
    skip: REDIS
      ? false
      : 'redis-server is not installed (apt-get install -y redis-server); Redis-mode test skipped',
  },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cg-redis-'));
    const children: ChildProcess[] = [];
    const log: string[] = [];
    try {
      const redisPort = await freePort();
      const redis = startRedis(redisPort, dir);
      children.push(redis);
      const env = {
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        CONTEXTGEN_REDIS_LOCK_MS: '1500',
        CONTEXTGEN_REDIS_STALLED_MS: '500',
        CONTEXTGEN_TEST_STEP_DELAY_MS: '120',
      };
      const apiPort = await freePort();
      const api = startServer(
        ['--no-worker', '--port', String(apiPort), '--storage', join(dir, 'api')],
        env,
        log,
      );
      children.push(api);
      // Every process shares one storage folder (uploads, records, results).
      const workerA = startServer(['--worker-only', '--storage', join(dir, 'api')], env, log);
      children.push(workerA);
      const base = `http://127.0.0.1:${apiPort}`;
      const health = await waitFor('the API server', async () => fetchJson(`${base}/api/health`));
      assert.equal(health.queue, 'redis');

      const form = new FormData();
      form.append(
        'file',
        new Blob([new Uint8Array(await discPng())], { type: 'image/png' }),
        'disc.png',
      );
      const upload = await fetchJson(`${base}/api/uploads`, { method: 'POST', body: form });
      const job = await fetchJson(`${base}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          width: 32,
          height: 32,
          prompt: 'a disc',
          steps: 30,
          seed: 5,
          instances: [{ box: [4, 4, 28, 28], reference: upload.id }],
        }),
      });
      assert.ok(['queued', 'running'].includes(job.status));

      const running = await waitFor('worker A to be mid-job', async () => {
        const j = await fetchJson(`${base}/api/jobs/${job.id}`);
        return j.status === 'running' && j.progress?.step >= 2 ? j : undefined;
      });
      assert.equal(running.worker.split(':').pop(), String(workerA.pid));
      assert.ok(running.progress.step < 30, 'killed before the end');
      workerA.kill('SIGKILL');
      await once(workerA, 'exit');

      const workerB = startServer(['--worker-only', '--storage', join(dir, 'api')], env, log);
      children.push(workerB);
      const done = await waitFor(
        'the job to finish on worker B',
        async () => {
          const j = await fetchJson(`${base}/api/jobs/${job.id}`);
          return FINAL.includes(j.status) ? j : undefined;
        },
        60_000,
      );
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      assert.equal(done.worker.split(':').pop(), String(workerB.pid));
      assert.equal(done.result.seed, 5);
      assert.equal(done.result.untrained, true);
      const png = await fetch(`${base}${done.result.resultUrl}`);
      assert.equal(png.status, 200);
      assert.equal(png.headers.get('content-type'), 'image/png');

      // Cancelling a running job reaches the worker through Redis.
      const second = await fetchJson(`${base}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ width: 32, height: 32, prompt: 'x', steps: 40 }),
      });
      await waitFor('the second job to run a step', async () => {
        const j = await fetchJson(`${base}/api/jobs/${second.id}`);
        return j.status === 'running' && j.progress?.step >= 1 ? true : undefined;
      });
      assert.equal(
        (await fetch(`${base}/api/jobs/${second.id}/cancel`, { method: 'POST' })).status,
        202,
      );
      const cancelled = await waitFor('the cancellation', async () => {
        const j = await fetchJson(`${base}/api/jobs/${second.id}`);
        return j.status === 'cancelled' ? j : undefined;
      });
      assert.ok(cancelled.progress.step < 40);
    } catch (err) {
      console.error(log.join(''));
      throw err;
    } finally {
      for (const c of children.reverse()) await stop(c);
      await rm(dir, { recursive: true, force: true });
    }
  },
);
