import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CancelledError } from '@contextgen/core';
import { WorkerSupervisor, type JobProgress } from './worker-process.ts';

const FAKE = fileURLToPath(new URL('../../test-fixtures/fake-flux-worker.mjs', import.meta.url));

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cg-fake-worker-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number | undefined): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
}

function fake(
  env: Record<string, string> = {},
  opts: { readyTimeoutMs?: number; cancelGraceMs?: number } = {},
) {
  return new WorkerSupervisor(
    { command: process.execPath, args: [FAKE], env },
    { label: 'fake worker', readyTimeoutMs: 10_000, ...opts },
  );
}

test('one worker serves several jobs (kept warm) and reports every step', async () => {
  const w = fake();
  try {
    const ready = await w.start();
    assert.equal(ready.event, 'ready');
    const pid = w.pid;
    const steps: JobProgress[] = [];
    const a = await w.run('a', dir, { onProgress: (p) => steps.push(p) });
    const b = await w.run('b', dir);
    assert.equal(a.event, 'done');
    assert.equal(b.job, 'b');
    assert.deepEqual(
      steps.map((s) => `${s.step}/${s.total}`),
      ['1/3', '2/3', '3/3'],
    );
    assert.equal(w.starts, 1);
    assert.equal(w.pid, pid);
  } finally {
    await w.dispose();
  }
});

test('a crash mid-job fails that job clearly (with the log tail); the next job gets a fresh worker', async () => {
  const starts = join(dir, 'starts.txt');
  const w = fake({ FAKE_CRASH_JOB: 'crash', FAKE_STARTS_FILE: starts });
  try {
    await w.start();
    const first = w.pid;
    await assert.rejects(w.run('crash-1', dir), (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'crash');
      assert.match(err.message, /exited with code 1 during job crash-1 \(after step 1 of 3\)/);
      assert.match(err.message, /simulated crash in the sampler/);
      assert.match(err.message, /next job starts a fresh worker/);
      return true;
    });
    assert.ok(await gone(first));
    const ok = await w.run('ok-1', dir);
    assert.equal(ok.event, 'done');
    assert.equal(w.starts, 2);
    assert.notEqual(w.pid, first);
    assert.equal((await readFile(starts, 'utf8')).trim().split('\n').length, 2);
  } finally {
    await w.dispose();
  }
});

test('cancel stops the running job between steps; the worker stays up for the next job', async () => {
  const w = fake({ FAKE_STEP_MS: '50' });
  try {
    await w.start();
    const ac = new AbortController();
    const run = w.run('c1', dir, { signal: ac.signal, onProgress: () => ac.abort() });
    await assert.rejects(run, CancelledError);
    assert.equal((await w.run('c2', dir)).event, 'done');
    assert.equal(w.starts, 1);
  } finally {
    await w.dispose();
  }
});

test('a worker that ignores cancel is killed after the grace period and replaced', async () => {
  const w = fake({ FAKE_STEP_MS: '100', FAKE_IGNORE_CANCEL: '1' }, { cancelGraceMs: 150 });
  try {
    await w.start();
    const first = w.pid;
    const ac = new AbortController();
    const run = w.run('slow', dir, { signal: ac.signal, onProgress: () => ac.abort() });
    await assert.rejects(run, CancelledError);
    assert.ok(await gone(first));
    assert.equal((await w.run('after', dir)).event, 'done');
    assert.equal(w.starts, 2);
  } finally {
    await w.dispose();
  }
});

test('no ready within the timeout: a clear error and no process left', async () => {
  const w = fake({ FAKE_READY_MS: 'never' }, { readyTimeoutMs: 500 });
  const start = w.start();
  const pid = w.pid;
  await assert.rejects(start, /fake worker did not report ready within 0\.5 s .*it was stopped/);
  assert.ok(await gone(pid));
  await w.dispose();
});

test('a fatal startup error is the worker message, as a model-folder error; no process left', async () => {
  const w = fake({ FAKE_FATAL: 'missing-files' });
  const start = w.start();
  const pid = w.pid;
  await assert.rejects(start, (err: Error & { kind?: string }) => {
    assert.equal(err.name, 'ModelFolderError');
    assert.equal(err.kind, 'missing-files');
    assert.match(err.message, /fake worker: simulated missing-files/);
    return true;
  });
  assert.ok(await gone(pid));
  await w.dispose();
});

test('dispose stops the worker (idempotent) and a missing interpreter says how to fix it', async () => {
  const w = fake();
  await w.start();
  const pid = w.pid;
  assert.ok(alive(pid));
  await w.dispose();
  await w.dispose();
  assert.ok(await gone(pid));
  await assert.rejects(w.run('late', dir), /disposed/);

  const none = new WorkerSupervisor(
    { command: join(dir, 'no-such-python'), args: [] },
    { label: 'fake worker' },
  );
  await assert.rejects(none.start(), /cannot start .*no-such-python.*CONTEXTGEN_PYTHON/);
  await none.dispose();
});

test('a progress callback that throws fails its job, not the process; the next job runs', async () => {
  const w = fake({ FAKE_STEP_MS: '30' });
  try {
    await w.start();
    await assert.rejects(
      w.run('throws', dir, {
        onProgress: () => {
          throw new Error('callback bug');
        },
      }),
      /callback bug/,
    );
    assert.equal((await w.run('fine', dir)).event, 'done');
    assert.equal(w.starts, 1);
  } finally {
    await w.dispose();
  }
});
