/**
 * Redis-mode faults with real processes: two API processes and a worker on one shared storage
 * folder, the queue cap under 100 concurrent submits through both APIs, Redis killed (every
 * call answers 503 at once, /api/health says so) and restarted empty (the jobs it lost are
 * found and run; each says what happened). Skips only when redis-server is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { discPng } from '../../packages/server/src/test-util.ts';
import {
  FINAL,
  freePort,
  json,
  postJob,
  REDIS,
  startRedis,
  startServer,
  stop,
  waitFor,
  type JsonResponse,
  type ServerProcess,
} from './procs.ts';

test(
  'redis mode: shared storage, exact cap across two API processes, Redis down answers 503 fast, lost jobs run after Redis returns, a worker stopped mid-job hands the job back',
  {
    skip: REDIS ? false : 'redis-server is not installed (apt-get install -y redis-server)',
  },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cg-redis-faults-'));
    const log: string[] = [];
    const procs: ServerProcess[] = [];
    const redisPort = await freePort();
    let redis = startRedis(redisPort, dir);
    try {
      const env = {
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        CONTEXTGEN_REDIS_LOCK_MS: '1500',
        CONTEXTGEN_REDIS_STALLED_MS: '500',
        CONTEXTGEN_TEST_STEP_DELAY_MS: '100',
      };
      const storage = join(dir, 'shared');
      const api = async () => {
        const port = await freePort();
        const p = startServer(
          ['--quiet', '--no-worker', '--port', String(port), '--storage', storage],
          env,
          log,
        );
        procs.push(p);
        const base = `http://127.0.0.1:${port}`;
        await waitFor('an API process', async () =>
          (await fetch(`${base}/api/health`)).ok ? true : undefined,
        );
        return base;
      };
      const a = await api();
      const b = await api();

      // 1. The cap (64) is exact over 100 concurrent submits through both API processes.
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, k) =>
          postJob(k % 2 ? a : b, { width: 32, height: 32, prompt: 'x', steps: 1 }),
        ),
      );
      const codes = answers.map((r) => r.status);
      assert.equal(codes.filter((c) => c === 202).length, 64, codes.join(','));
      assert.equal(codes.filter((c) => c === 429).length, 36, codes.join(','));
      const accepted = await Promise.all(
        answers.filter((r) => r.status === 202).map((r) => r.json()),
      );
      for (const j of accepted)
        assert.equal((await fetch(`${a}/api/jobs/${j.id}/cancel`, { method: 'POST' })).status, 202);

      // 2. Either API answers for the other's uploads and jobs.
      const form = new FormData();
      form.append(
        'file',
        new Blob([new Uint8Array(await discPng())], { type: 'image/png' }),
        'd.png',
      );
      const upload = await json(`${a}/api/uploads`, { method: 'POST', body: form });
      assert.equal((await fetch(`${b}/api/uploads/${upload.id}/cutout.png`)).status, 200);
      const worker = startServer(['--quiet', '--worker-only', '--storage', storage], env, log);
      procs.push(worker);
      const first = await (
        await postJob(a, {
          width: 32,
          height: 32,
          prompt: 'x',
          steps: 3,
          instances: [{ box: [2, 2, 30, 30], reference: upload.id }],
        })
      ).json();
      // A job in Redis is its id, model and request: no image bytes (they stay on disk).
      const redisClient = new Redis(env.REDIS_URL);
      const keys = await redisClient.keys(`contextgen:*:${first.id}`);
      const data = await redisClient.hget(keys[0]!, 'data');
      redisClient.disconnect();
      assert.ok(data && data.length < 2048, `job data in Redis is ${data?.length} bytes`);
      assert.doesNotMatch(data, /iVBOR|base64/);
      const firstDone = await waitFor('the first job', async () => {
        const j = await json(`${b}/api/jobs/${first.id}`);
        return FINAL.includes(j.status) ? j : undefined;
      });
      assert.equal(firstDone.status, 'succeeded', JSON.stringify(firstDone.error));
      assert.equal((await fetch(`${b}${firstDone.result.resultUrl}`)).status, 200);

      // 3. Redis dies with a job running and one waiting.
      const running = await (
        await postJob(a, { width: 32, height: 32, prompt: 'x', steps: 40 })
      ).json();
      const waiting = await (
        await postJob(a, { width: 32, height: 32, prompt: 'y', steps: 3 })
      ).json();
      await waitFor('a running job', async () =>
        (await json(`${a}/api/jobs/${running.id}`)).status === 'running' ? true : undefined,
      );
      redis.kill('SIGKILL');
      await once(redis, 'exit');
      await new Promise((r) => setTimeout(r, 300));
      const timed = async (f: () => Promise<JsonResponse>) => {
        const t0 = Date.now();
        const r = await f();
        return { status: r.status, ms: Date.now() - t0, body: await r.json() };
      };
      const health = await timed(() => fetch(`${a}/api/health`) as Promise<JsonResponse>);
      assert.equal(health.status, 503);
      assert.equal(health.body.ok, false);
      assert.match(health.body.queueDetail, /Redis at 127\.0\.0\.1:\d+\) is unreachable/);
      const submit = await timed(() =>
        postJob(a, { width: 32, height: 32, prompt: 'x', steps: 1 }),
      );
      assert.equal(submit.status, 503);
      assert.equal(submit.body.error.code, 'queue_unavailable');
      const status = await timed(
        () => fetch(`${b}/api/jobs/${waiting.id}`) as Promise<JsonResponse>,
      );
      assert.equal(status.status, 503);
      for (const t of [health, submit, status]) assert.ok(t.ms < 2500, `took ${t.ms} ms`);
      // A finished job is still served from storage.
      assert.equal((await fetch(`${b}/api/jobs/${first.id}`)).status, 200);

      // 4. Redis comes back empty: the lost jobs are found and run; nothing accepted is lost.
      redis = startRedis(redisPort, dir);
      const done = await Promise.all(
        [running.id, waiting.id].map((id) =>
          waitFor(
            `job ${id} after Redis returned`,
            async () => {
              const j = await json(`${a}/api/jobs/${id}`);
              return FINAL.includes(j.status) ? j : undefined;
            },
            90_000,
          ),
        ),
      );
      assert.deepEqual(
        done.map((j) => j.status),
        ['succeeded', 'succeeded'],
        JSON.stringify(done.map((j) => j.error)),
      );
      assert.match(
        done[1].recovery,
        /lost by the queue \(Redis restarted without its data\) while waiting: queued again/,
      );
      assert.equal((await fetch(`${a}/api/health`)).status, 200);
      // 5. A worker stopped with SIGTERM mid-job puts the job back; another worker runs it.
      await stop(worker.child);
      const drainy = startServer(
        ['--quiet', '--worker-only', '--drain-seconds', '0', '--storage', storage],
        env,
        log,
      );
      procs.push(drainy);
      const long = await (
        await postJob(a, { width: 32, height: 32, prompt: 'z', steps: 60 })
      ).json();
      await waitFor('the long job to run', async () => {
        const j = await json(`${a}/api/jobs/${long.id}`);
        return j.status === 'running' && j.progress?.step >= 2 ? true : undefined;
      });
      drainy.child.kill('SIGTERM');
      await once(drainy.child, 'exit');
      const back = await json(`${a}/api/jobs/${long.id}`);
      assert.equal(back.status, 'queued', JSON.stringify(back));
      assert.match(back.recovery, /stopped by a worker shutdown at step \d+\/60: queued again/);
      const next = startServer(['--quiet', '--worker-only', '--storage', storage], env, log);
      procs.push(next);
      const longDone = await waitFor(
        'the long job on the next worker',
        async () => {
          const j = await json(`${a}/api/jobs/${long.id}`);
          return FINAL.includes(j.status) ? j : undefined;
        },
        90_000,
      );
      assert.equal(longDone.status, 'succeeded');
      assert.equal(longDone.attempts, 1);
      assert.equal(longDone.worker.split(':').pop(), String(next.child.pid));

      // A refused submit (503) left nothing that runs later.
      const models = await json(`${a}/api/models`);
      assert.equal(models.models[0].queued + models.models[0].running, 0);
    } catch (err) {
      console.error(log.join(''));
      throw err;
    } finally {
      for (const p of procs.reverse()) await stop(p.child);
      redis.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  },
);
