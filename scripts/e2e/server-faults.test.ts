/**
 * Process faults of the in-process server, with real processes on the tiny model:
 *   kill -9 mid-job and restart (nothing lost, the interrupted job rerun once and says so),
 *   SIGTERM drains, a real full file system (a 2 MiB tmpfs; skipped with the reason when it
 *   cannot be mounted), exposure refusal and the token kept out of the logs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discPng } from '../../packages/server/src/test-util.ts';
import { FINAL, freePort, json, postJob, startServer, stop, waitFor } from './procs.ts';

const SLOW = { CONTEXTGEN_TEST_STEP_DELAY_MS: '100' };

async function started(port: number) {
  const base = `http://127.0.0.1:${port}`;
  await waitFor('the server', async () =>
    (await fetch(`${base}/api/health`)).ok ? true : undefined,
  );
  return base;
}

const finalJob = (base: string, id: string, ms = 60_000) =>
  waitFor(
    `job ${id} to finish`,
    async () => {
      const j = await json(`${base}/api/jobs/${id}`);
      return FINAL.includes(j.status) ? j : undefined;
    },
    ms,
  );

test('kill -9 mid-job, then restart: every accepted job finishes; the interrupted one ran again once and says so', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cg-kill-'));
  const log: string[] = [];
  const procs = [];
  try {
    const port = await freePort();
    const a = startServer(['--quiet', '--port', String(port), '--storage', dir], SLOW, log);
    procs.push(a);
    let base = await started(port);
    const ids: string[] = [];
    for (let k = 0; k < 3; k++) {
      const r = await postJob(base, { width: 32, height: 32, prompt: 'x', steps: 15, seed: k });
      assert.equal(r.status, 202);
      ids.push((await r.json()).id);
    }
    await waitFor('job 1 mid-run', async () => {
      const j = await json(`${base}/api/jobs/${ids[0]}`);
      return j.status === 'running' && j.progress?.step >= 2 ? j : undefined;
    });
    a.child.kill('SIGKILL');
    await once(a.child, 'exit');
    const onDisk = async (id: string) =>
      JSON.parse(await readFile(join(dir, 'jobs', id, 'job.json'), 'utf8')).status;
    assert.deepEqual(
      [await onDisk(ids[0]!), await onDisk(ids[1]!), await onDisk(ids[2]!)],
      ['running', 'queued', 'queued'],
    );

    const port2 = await freePort();
    const b = startServer(['--port', String(port2), '--storage', dir], SLOW, log);
    procs.push(b);
    base = await started(port2);
    // The event stream of a recovered job ends with its result.
    const events = await (await fetch(`${base}/api/jobs/${ids[2]}/events`)).text();
    assert.match(events, /event: done\ndata: \{[^\n]*"status":"succeeded"/);
    const done = await Promise.all(ids.map((id) => finalJob(base, id)));
    assert.deepEqual(
      done.map((j) => j.status),
      ['succeeded', 'succeeded', 'succeeded'],
    );
    assert.equal(done[0].attempts, 2);
    assert.match(done[0].recovery, /interrupted by a server stop on attempt 1 of 2: run again/);
    assert.match(done[1].recovery, /queued again after the restart/);
    assert.match(
      b.output(),
      /recovered after a stop: 2 queued again, 1 interrupted and run again, 0 failed/,
    );
    const models = await json(`${base}/api/models`);
    assert.equal(models.models[0].queued + models.models[0].running, 0);
  } catch (err) {
    console.error(log.join(''));
    throw err;
  } finally {
    for (const p of procs) await stop(p.child);
    await rm(dir, { recursive: true, force: true });
  }
});

test('SIGTERM drains: no new jobs, a short running job finishes, a long one is queued again and runs after the restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cg-term-'));
  const log: string[] = [];
  const procs = [];
  try {
    const port = await freePort();
    const a = startServer(
      ['--port', String(port), '--storage', dir, '--drain-seconds', '1'],
      SLOW,
      log,
    );
    procs.push(a);
    let base = await started(port);
    const short = await (
      await postJob(base, { width: 32, height: 32, prompt: 'x', steps: 5 })
    ).json();
    const long = await (
      await postJob(base, { width: 32, height: 32, prompt: 'x', steps: 60 })
    ).json();
    await waitFor('the short job to run', async () =>
      (await json(`${base}/api/jobs/${short.id}`)).status === 'running' ? true : undefined,
    );
    const t0 = Date.now();
    a.child.kill('SIGTERM');
    // While draining, the API answers but takes no new job.
    const refused = await waitFor('a refused submit', async () => {
      const r = await postJob(base, { width: 32, height: 32, prompt: 'x', steps: 1 });
      return r.status === 503 ? ((await r.json()) as { error: { code: string } }) : undefined;
    });
    assert.equal(refused.error.code, 'shutting_down');
    const [code] = await once(a.child, 'exit');
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 8000, 'drain took too long');
    const rec = (id: string) =>
      readFile(join(dir, 'jobs', id, 'job.json'), 'utf8').then(JSON.parse);
    assert.equal((await rec(short.id)).status, 'succeeded');
    const longRec = await rec(long.id);
    assert.equal(longRec.status, 'queued');

    const port2 = await freePort();
    const b = startServer(['--quiet', '--port', String(port2), '--storage', dir], SLOW, log);
    procs.push(b);
    base = await started(port2);
    const done = await finalJob(base, long.id);
    assert.equal(done.status, 'succeeded');
    assert.match(done.recovery, /queued again/);
  } catch (err) {
    console.error(log.join(''));
    throw err;
  } finally {
    for (const p of procs) await stop(p.child);
    await rm(dir, { recursive: true, force: true });
  }
});

function tryMount(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `cannot mount a tmpfs (${String((err as Error).message).split('\n')[0]}); needs root`;
  }
}

/** Fills the file system that holds `dir` until a write fails; returns the filler path. */
async function fill(dir: string): Promise<string> {
  const path = join(dir, `filler-${Date.now()}`);
  const s = await statfs(dir);
  await writeFile(path, Buffer.alloc(Math.max(0, s.bavail * s.bsize))).catch(() => undefined);
  // Take the last blocks too.
  for (let k = 0; k < 64; k++)
    await writeFile(`${path}-${k}`, Buffer.alloc(4096)).catch(() => undefined);
  return path;
}

async function unfill(dir: string): Promise<void> {
  for (const f of await readdir(dir)) if (f.startsWith('filler-')) await rm(join(dir, f));
}

test('a real full disk (tmpfs): the job fails with the reason, a submit is refused with 507, nothing is left to run later, the server keeps serving', async (t) => {
  const mnt = await mkdtemp(join(tmpdir(), 'cg-tmpfs-'));
  const why = tryMount(mnt);
  if (why) {
    t.skip(why);
    await rm(mnt, { recursive: true, force: true });
    return;
  }
  const log: string[] = [];
  const procs = [];
  try {
    const storage = join(mnt, 'storage');
    await mkdir(storage);
    const port = await freePort();
    const a = startServer(
      ['--quiet', '--port', String(port), '--storage', storage],
      { CONTEXTGEN_TEST_STEP_DELAY_MS: '150' },
      log,
    );
    procs.push(a);
    const base = await started(port);
    const form = new FormData();
    form.append(
      'file',
      new Blob([new Uint8Array(await discPng())], { type: 'image/png' }),
      'd.png',
    );
    const upload = await json(`${base}/api/uploads`, { method: 'POST', body: form });
    assert.ok(upload.id, JSON.stringify(upload));

    // 1. The disk fills while a job runs: the job fails with the reason.
    const job = await (
      await postJob(base, {
        width: 64,
        height: 64,
        prompt: 'x',
        steps: 12,
        instances: [{ box: [4, 4, 40, 40], reference: upload.id }],
      })
    ).json();
    await waitFor('the job to run', async () =>
      (await json(`${base}/api/jobs/${job.id}`)).status === 'running' ? true : undefined,
    );
    await fill(mnt);
    const failed = await finalJob(base, job.id);
    assert.equal(failed.status, 'failed');
    assert.match(
      failed.error.message,
      /could not be stored: the server's storage .* is full \(ENOSPC\)/,
    );

    // 2. A submit on the full disk is refused; an upload too.
    const refused = await postJob(base, { width: 32, height: 32, prompt: 'x', steps: 1 });
    assert.equal(refused.status, 507);
    const form2 = new FormData();
    form2.append(
      'file',
      new Blob([new Uint8Array(await discPng(200, 200))], { type: 'image/png' }),
      'e.png',
    );
    assert.equal((await fetch(`${base}/api/uploads`, { method: 'POST', body: form2 })).status, 507);
    assert.equal((await fetch(`${base}/api/health`)).status, 200);

    // 3. Space again: nothing refused earlier runs now; a new job succeeds.
    await unfill(mnt);
    const ok = await (await postJob(base, { width: 32, height: 32, prompt: 'x', steps: 2 })).json();
    assert.equal((await finalJob(base, ok.id)).status, 'succeeded');
    const jobs = await readdir(join(storage, 'jobs'));
    assert.deepEqual(jobs.sort(), [job.id, ok.id].sort(), 'a refused submit left a job folder');
    const leftovers: string[] = [];
    for (const kind of ['jobs', 'uploads'])
      for (const id of await readdir(join(storage, kind)))
        for (const f of await readdir(join(storage, kind, id)))
          if (f.endsWith('.tmp')) leftovers.push(`${kind}/${id}/${f}`);
    assert.deepEqual(leftovers, []);
    assert.equal(a.child.exitCode, null, 'the server exited');
  } catch (err) {
    console.error(log.join(''));
    throw err;
  } finally {
    for (const p of procs) await stop(p.child);
    execFileSync('umount', [mnt]);
    await rm(mnt, { recursive: true, force: true });
  }
});

test('exposure: a non-loopback address without a token is refused; the bound address is printed; ?token= never reaches the log', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cg-expose-'));
  const procs = [];
  try {
    const refused = startServer(['--host', '0.0.0.0', '--port', '0', '--storage', dir]);
    procs.push(refused);
    const [code] = await once(refused.child, 'exit');
    assert.notEqual(code, 0);
    assert.match(refused.output(), /refusing to listen on 0\.0\.0\.0 without a token/);

    const port = await freePort();
    const secret = 'Sup3r-Secret-Value';
    const s = startServer(['--host', '0.0.0.0', '--port', String(port), '--storage', dir], {
      CONTEXTGEN_TOKEN: secret,
    });
    procs.push(s);
    const base = await started(port);
    assert.match(
      s.output(),
      new RegExp(`http://0\\.0\\.0\\.0:${port} \\(every network interface\\).*token required`),
    );
    assert.equal((await fetch(`${base}/api/models?token=${secret}`)).status, 200);
    assert.equal((await fetch(`${base}/api/models`)).status, 401);
    await new Promise((r) => setTimeout(r, 300));
    assert.match(s.output(), /token=\[redacted\]/);
    assert.ok(!s.output().includes(secret), 'the token reached the log');
  } finally {
    for (const p of procs) await stop(p.child);
    await rm(dir, { recursive: true, force: true });
  }
});
