/**
 * The README's two-GPU deployment on the published-model kind, with real processes: an
 * API-only server and two `--worker-only` processes (CUDA_VISIBLE_DEVICES=0 and 1; on a CPU
 * machine both run on the CPU) sharing the BullMQ queue of a redis-server started on a free
 * port, each with its own Python FLUX worker on the tiny random folder. A long job keeps the
 * first worker busy; the second job is taken by the second worker; the long job is cancelled
 * through Redis. Skips (with the reason) only when redis-server is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyFluxModel } from '../../packages/runtime/src/flux/tiny-flux.test-util.ts';
import { fetchJson, rgbaPng } from '../../packages/server/src/test-util.ts';
import { FINAL, freePort, MAIN, REDIS, startRedis, stop, waitFor } from './procs.ts';

test(
  'two --worker-only processes (one per GPU) share the flux model queue; cancel reaches the worker',
  {
    skip: REDIS
      ? false
      : 'redis-server is not installed (apt-get install -y redis-server); test skipped',
  },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cg-flux-redis-'));
    const model = await tinyFluxModel();
    const children: ChildProcess[] = [];
    const log: string[] = [];
    const start = (args: string[], env: Record<string, string>): ChildProcess => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', MAIN, '--model', model, '--allow-untrained', '--quiet', ...args],
        { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout!.on('data', (d: Buffer) => log.push(`[${child.pid}] ${d}`));
      child.stderr!.on('data', (d: Buffer) => log.push(`[${child.pid} err] ${d}`));
      children.push(child);
      return child;
    };
    try {
      const redisPort = await freePort();
      children.push(startRedis(redisPort, dir));
      const env = { REDIS_URL: `redis://127.0.0.1:${redisPort}` };
      const apiPort = await freePort();
      start(['--no-worker', '--port', String(apiPort), '--storage', join(dir, 'shared')], env);
      const gpu0 = start(['--worker-only', '--storage', join(dir, 'shared')], {
        ...env,
        CUDA_VISIBLE_DEVICES: '0',
        // 250 ms before every step: the 200-step job stays running while GPU 1 starts and works
        CONTEXTGEN_FLUX_FAULT: 'slow@250',
      });
      const base = `http://127.0.0.1:${apiPort}`;
      await waitFor('the API server', async () => fetchJson(`${base}/api/health`), 60_000);

      const form = new FormData();
      form.append(
        'file',
        new Blob([new Uint8Array(await rgbaPng())], { type: 'image/png' }),
        'box.png',
      );
      const upload = await fetchJson(`${base}/api/uploads`, { method: 'POST', body: form });
      const post = (steps: number, seed: number) =>
        fetchJson(`${base}/api/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            width: 64,
            height: 64,
            prompt: 'a blue box',
            steps,
            seed,
            instances: [{ box: [8, 8, 56, 56], reference: upload.id }],
          }),
        });
      const long = await post(200, 1);
      await waitFor(
        'the long job to run on worker 0',
        async () => {
          const j = await fetchJson(`${base}/api/jobs/${long.id}`);
          return j.status === 'running' && j.progress?.step >= 1 ? j : undefined;
        },
        240_000,
      );
      const gpu1 = start(['--worker-only', '--storage', join(dir, 'shared')], {
        ...env,
        CUDA_VISIBLE_DEVICES: '1',
      });
      const short = await post(2, 2);
      const done = await waitFor(
        'the short job on worker 1',
        async () => {
          const j = await fetchJson(`${base}/api/jobs/${short.id}`);
          return FINAL.includes(j.status) ? j : undefined;
        },
        240_000,
      );
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      assert.equal(done.worker.split(':').pop(), String(gpu1.pid));
      assert.equal(done.result.seed, 2);

      const longNow = await fetchJson(`${base}/api/jobs/${long.id}`);
      assert.equal(longNow.status, 'running');
      assert.equal(longNow.worker.split(':').pop(), String(gpu0.pid));
      assert.equal(
        (await fetch(`${base}/api/jobs/${long.id}/cancel`, { method: 'POST' })).status,
        202,
      );
      const cancelled = await waitFor(
        'the cancellation',
        async () => {
          const j = await fetchJson(`${base}/api/jobs/${long.id}`);
          return j.status === 'cancelled' ? j : undefined;
        },
        60_000,
      );
      assert.ok(cancelled.progress.step < 200);
    } catch (err) {
      console.error(log.join(''));
      throw err;
    } finally {
      for (const c of children.reverse()) await stop(c);
      await rm(dir, { recursive: true, force: true });
      await rm(model, { recursive: true, force: true });
    }
  },
);
