import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../ids.ts';
import { Storage, type WriteFileFn } from '../storage.ts';
import { LocalQueue, MAX_ATTEMPTS } from './local-queue.ts';
import {
  SubmitRefused,
  type JobOutput,
  type JobRecord,
  type JobRunner,
  type JobSpec,
} from './types.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function storage(write?: WriteFileFn): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-queue-'));
  dirs.push(dir);
  const s = new Storage(dir, write);
  await s.init();
  return s;
}

const OUTPUT: JobOutput = {
  seed: 1,
  width: 8,
  height: 8,
  untrained: true,
  warnings: [],
  timings: { modelMs: 1, totalMs: 1 },
  resultPng: new Uint8Array([1, 2, 3]),
  layoutPng: new Uint8Array([4, 5]),
};

function spec(model = 'm'): JobSpec {
  return {
    id: newId('job'),
    model,
    request: { width: 8, height: 8, prompt: 'x', instances: [] },
  };
}

/** A runner whose jobs finish when the test says so; counts calls per job. */
function gatedRunner() {
  const gates = new Map<string, () => void>();
  const calls: string[] = [];
  const runner: JobRunner = async (s, { signal, onProgress }) => {
    calls.push(s.id);
    onProgress({ step: 1, total: 1 });
    await new Promise<void>((resolve, reject) => {
      gates.set(s.id, resolve);
      signal.addEventListener('abort', () => {
        const e = new Error('aborted');
        e.name = 'AbortError';
        if (!gates.has(`${s.id}:past-last-step`)) reject(e);
      });
    });
    return OUTPUT;
  };
  return { runner, gates, calls };
}

async function until<T>(f: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const finalOf = (q: LocalQueue, id: string) =>
  until(async () => {
    const r = await q.get(id);
    return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
  });

test('a cancel after the last step ends the job cancelled and says so', async () => {
  const { runner, gates } = gatedRunner();
  const q = new LocalQueue(await storage(), runner, 'w');
  const s = spec();
  await q.submit(s, 10);
  await until(() => gates.get(s.id));
  gates.set(`${s.id}:past-last-step`, () => {}); // the runner no longer reacts to the abort
  const cancelling = q.cancel(s.id);
  gates.get(s.id)!(); // the runner returns its output after the abort
  const after = await cancelling;
  assert.equal(after?.status, 'cancelled');
  assert.match(after!.recovery!, /cancelled after its last step; the result was discarded/);
  assert.equal((await q.get(s.id))?.result, undefined);
});

test('the queue cap is exact under concurrent submits', async () => {
  const slow: WriteFileFn = async (p, d) => {
    await new Promise((r) => setTimeout(r, Math.random() * 20));
    await writeFile(p, d);
  };
  const runner: JobRunner = (_s, { signal }) =>
    new Promise((_r, reject) => {
      if (signal.aborted) reject(new Error('stop'));
      signal.addEventListener('abort', () => reject(new Error('stop')));
    });
  const q = new LocalQueue(await storage(slow), runner, 'w');
  const results = await Promise.allSettled(Array.from({ length: 40 }, () => q.submit(spec(), 7)));
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter(
    (r) =>
      r.status === 'rejected' && r.reason instanceof SubmitRefused && r.reason.statusCode === 429,
  ).length;
  assert.equal(ok, 7);
  assert.equal(refused, 33);
  assert.equal(await q.activeCount(), 7);
  await q.close();
});

test('after a stop: queued jobs are queued again, an interrupted job runs once more, a twice-interrupted one fails; each says which', async () => {
  const st = await storage();
  const now = Date.now();
  const rec = (status: 'queued' | 'running', attempts: number, k: number): JobRecord => ({
    ...spec(),
    status,
    createdAt: new Date(now + k).toISOString(),
    ...(attempts ? { attempts, startedAt: new Date(now).toISOString() } : {}),
  });
  const queuedA = rec('queued', 0, 1);
  const interrupted = rec('running', 1, 0);
  const twice = rec('running', MAX_ATTEMPTS, 2);
  const otherModel = { ...rec('queued', 0, 3), model: 'gone' };
  for (const r of [queuedA, interrupted, twice, otherModel])
    await st.writeJobFile(r.id, 'job.json', JSON.stringify(r));
  const calls: string[] = [];
  const runner: JobRunner = async (s) => {
    calls.push(s.id);
    return OUTPUT;
  };
  const q = new LocalQueue(st, runner, 'w');
  const report = await q.recover(new Set(['m']));
  assert.deepEqual(report.requeued, [queuedA.id]);
  assert.deepEqual(report.rerun, [interrupted.id]);
  assert.deepEqual(report.failed.sort(), [twice.id, otherModel.id].sort());
  const a = await finalOf(q, queuedA.id);
  const b = await finalOf(q, interrupted.id);
  const c = await finalOf(q, twice.id);
  assert.equal(a.status, 'succeeded');
  assert.match(a.recovery!, /queued again after the restart/);
  assert.equal(b.status, 'succeeded');
  assert.equal(b.attempts, 2);
  assert.match(b.recovery!, /interrupted by a server stop on attempt 1 of 2: run again/);
  assert.equal(c.status, 'failed');
  assert.match(c.error!.message, /stopped while this job was running, 2 times.*submit it again/);
  assert.equal((await q.get(otherModel.id))?.status, 'failed');
  // The interrupted job ran first (oldest), each exactly once; the failed ones never.
  assert.deepEqual(calls, [interrupted.id, queuedA.id]);
  // A second recovery finds nothing to do.
  const again = await new LocalQueue(st, runner, 'w2').recover(new Set(['m']));
  assert.deepEqual(again, { requeued: [], rerun: [], failed: [] });
});

test('drain: a running job that does not finish in time goes back to queued and runs at the next start', async () => {
  const st = await storage();
  const { runner, gates } = gatedRunner();
  const q = new LocalQueue(st, runner, 'w');
  const s1 = spec();
  const s2 = spec();
  await q.submit(s1, 10);
  await q.submit(s2, 10);
  await until(() => gates.get(s1.id));
  await q.drain(50);
  await assert.rejects(q.submit(spec(), 10), /shutting down/);
  const r1 = await st.readJobRecord<JobRecord>(s1.id);
  assert.equal(r1?.status, 'queued');
  assert.equal(r1?.attempts ?? 0, 0);
  assert.match(r1!.recovery!, /stopped by a server shutdown at step 1\/1: queued again/);
  assert.equal((await st.readJobRecord<JobRecord>(s2.id))?.status, 'queued');
  const calls: string[] = [];
  const q2 = new LocalQueue(
    st,
    async (s) => {
      calls.push(s.id);
      return OUTPUT;
    },
    'w2',
  );
  const report = await q2.recover(new Set(['m']));
  assert.deepEqual(report.requeued, [s1.id, s2.id]);
  assert.equal((await finalOf(q2, s1.id)).status, 'succeeded');
  assert.equal((await finalOf(q2, s2.id)).status, 'succeeded');
  assert.deepEqual(calls, [s1.id, s2.id]);
});

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

test('a full disk fails the job with the reason, leaves no .tmp file, and the queue keeps going', async () => {
  let failing: (path: string) => boolean = () => false;
  const write: WriteFileFn = async (p, d) => {
    if (failing(p)) {
      await writeFile(p, typeof d === 'string' ? d.slice(0, 3) : d.subarray(0, 1)); // partial
      throw enospc();
    }
    await writeFile(p, d);
  };
  const st = await storage(write);
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  process.on('unhandledRejection', onRejection);
  try {
    const q = new LocalQueue(st, async () => OUTPUT, 'w');
    // 1. The result cannot be written.
    failing = (p) => p.includes('layout.png');
    const s1 = spec();
    await q.submit(s1, 10);
    const r1 = await finalOf(q, s1.id);
    assert.equal(r1.status, 'failed');
    assert.match(
      r1.error!.message,
      /generated but could not be stored: the server's storage .* is full \(ENOSPC\)/,
    );
    // 2. Neither the result nor the failed record can be written: the answer comes from memory.
    const s2 = spec();
    await q.submit(s2, 10);
    failing = (p) => p.includes(s2.id);
    const r2 = await finalOf(q, s2.id);
    assert.equal(r2.status, 'failed');
    assert.match(r2.error!.message, /could not be stored: .* is full/);
    const onDisk = await st.readJobRecord<JobRecord>(s2.id);
    assert.ok(['queued', 'running'].includes(onDisk!.status), onDisk!.status);
    // 3. The disk is back: the next job succeeds.
    failing = () => false;
    const s3 = spec();
    await q.submit(s3, 10);
    assert.equal((await finalOf(q, s3.id)).status, 'succeeded');
    // 4. A submit on a full disk is refused and nothing of it stays to run later.
    failing = () => true;
    await assert.rejects(q.submit(spec(), 10), /storage .* is full/);
    assert.equal(await q.activeCount(), 0);
    const leftovers: string[] = [];
    for (const id of await st.jobIds())
      for (const f of await readdir(join(st.root, 'jobs', id)))
        if (f.endsWith('.tmp')) leftovers.push(f);
    assert.deepEqual(leftovers, []);
    assert.equal(rejections.length, 0, String(rejections[0]));
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});
