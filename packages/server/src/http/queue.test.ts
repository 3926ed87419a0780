import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { fetchJson, parseSse, tinyServer } from '../test-util.ts';

const request = (seed: number) => ({
  width: 32,
  height: 32,
  prompt: 'x',
  steps: 6,
  seed,
  instances: [{ box: [0, 0, 16, 16], phrase: 'a' }],
});

test('one job per model at a time: others wait with their position, and both kinds can be cancelled', async () => {
  const server = await tinyServer({ stepDelayMs: 60 });
  try {
    const inject = server.app!.inject.bind(server.app!);
    const first = (await inject({ method: 'POST', url: '/api/jobs', payload: request(1) })).json();
    const second = (await inject({ method: 'POST', url: '/api/jobs', payload: request(2) })).json();
    const third = (await inject({ method: 'POST', url: '/api/jobs', payload: request(3) })).json();
    assert.equal(first.status, 'running');
    assert.deepEqual([second.status, second.position], ['queued', 2]);
    assert.deepEqual([third.status, third.position], ['queued', 3]);

    const cancelQueued = await inject({ method: 'POST', url: `/api/jobs/${second.id}/cancel` });
    assert.equal(cancelQueued.statusCode, 202);
    assert.equal(cancelQueued.json().status, 'cancelled');
    assert.equal(
      (await inject({ method: 'GET', url: `/api/jobs/${third.id}` })).json().position,
      2,
      'moved up',
    );

    const cancelRunning = await inject({ method: 'POST', url: `/api/jobs/${first.id}/cancel` });
    assert.equal(cancelRunning.statusCode, 202);
    const firstEvents = parseSse(
      (await inject({ method: 'GET', url: `/api/jobs/${first.id}/events` })).body,
    );
    assert.equal(firstEvents.at(-1)?.data.status, 'cancelled');

    const thirdEvents = parseSse(
      (await inject({ method: 'GET', url: `/api/jobs/${third.id}/events` })).body,
    );
    assert.equal(thirdEvents.at(-1)?.data.status, 'succeeded');
    const again = await inject({ method: 'POST', url: `/api/jobs/${third.id}/cancel` });
    assert.equal(again.statusCode, 409);
    assert.match(again.json().error.message, /already succeeded; there is nothing to cancel/);
  } finally {
    await server.done();
  }
});

test('limit: a full queue answers 429', async () => {
  const server = await tinyServer({ stepDelayMs: 50, limits: { maxQueuedJobs: 2 } });
  try {
    const inject = server.app!.inject.bind(server.app!);
    assert.equal(
      (await inject({ method: 'POST', url: '/api/jobs', payload: request(1) })).statusCode,
      202,
    );
    assert.equal(
      (await inject({ method: 'POST', url: '/api/jobs', payload: request(2) })).statusCode,
      202,
    );
    const full = await inject({ method: 'POST', url: '/api/jobs', payload: request(3) });
    assert.equal(full.statusCode, 429);
    assert.match(full.json().error.message, /queue is full \(2 jobs/);
  } finally {
    await server.done();
  }
});

test('a queued job sees its position fall over a real SSE connection', async () => {
  const server = await tinyServer({ stepDelayMs: 40 });
  try {
    const post = async (seed: number) =>
      fetchJson(`${server.url}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request(seed)),
      });
    await post(1);
    const waiting = await post(2);
    const res = await fetch(`${server.url}${waiting.eventsUrl}`);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const text = await res.text();
    const events = parseSse(text);
    assert.equal(events[0]?.data.position, 2);
    assert.ok(events.some((e) => e.event === 'started'));
    assert.equal(events.at(-1)?.data.status, 'succeeded');
  } finally {
    await server.done();
  }
});

test('auth: with CONTEXTGEN_TOKEN every API route but health needs the bearer token', async () => {
  const server = await tinyServer({ token: 's3cret' });
  try {
    const inject = server.app!.inject.bind(server.app!);
    assert.equal((await inject({ method: 'GET', url: '/api/health' })).statusCode, 200);
    const none = await inject({ method: 'GET', url: '/api/models' });
    assert.equal(none.statusCode, 401);
    assert.match(none.json().error.message, /Authorization: Bearer/);
    const wrong = await inject({
      method: 'GET',
      url: '/api/models',
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.json().error.message, /token is wrong/);
    assert.equal(
      (
        await inject({
          method: 'GET',
          url: '/api/models',
          headers: { authorization: 'Bearer s3cret' },
        })
      ).statusCode,
      200,
    );
    assert.equal(
      (await inject({ method: 'GET', url: '/api/models?token=s3cret' })).statusCode,
      200,
    );
    assert.equal(
      (await inject({ method: 'POST', url: '/api/jobs', payload: request(1) })).statusCode,
      401,
    );
  } finally {
    await server.done();
  }
});

test('loopback by default, and an untrained model is refused without --allow-untrained', async () => {
  const server = await tinyServer();
  try {
    assert.match(server.url!, /^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await server.done();
  }
  await assert.rejects(
    tinyServer({ allowUntrained: false }),
    /untrained .* pass --allow-untrained/,
  );
});

test('main.ts starts a server from the command line and stops on SIGTERM', async () => {
  const { spawn } = await import('node:child_process');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { TINY_MODEL } = await import('../test-util.ts');
  const storage = await mkdtemp(join(tmpdir(), 'cg-main-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '..', 'main.ts'),
      '--port',
      '0',
      '--model',
      TINY_MODEL,
      '--allow-untrained',
      '--storage',
      storage,
      '--quiet',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    while (!/http:\/\/127\.0\.0\.1:\d+/.test(out)) {
      const [chunk] = (await once(child.stdout, 'data')) as [string];
      out += chunk;
    }
    const url = out.match(/http:\/\/127\.0\.0\.1:\d+/)![0];
    const health = await fetchJson(`${url}/api/health`);
    assert.equal(health.ok, true);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(storage, { recursive: true, force: true });
  }
});
