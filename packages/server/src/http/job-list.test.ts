import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { discPng, multipart, parseSse, tinyServer } from '../test-util.ts';

let server: Awaited<ReturnType<typeof tinyServer>>;
let ref: string;
before(async () => {
  server = await tinyServer();
  const up = await inject({
    method: 'POST',
    url: '/api/uploads',
    ...multipart(await discPng(), 'a.png', 'image/png'),
  });
  ref = up.json().id;
});
after(() => server.done());

const inject = (opts: InjectOptions) => server.app!.inject(opts);

async function runJob(prompt: string): Promise<string> {
  const created = await inject({
    method: 'POST',
    url: '/api/jobs',
    payload: {
      width: 64,
      height: 64,
      prompt,
      steps: 2,
      instances: [{ box: [0, 0, 32, 32], reference: ref, phrase: 'p'.repeat(900) }],
    },
  });
  assert.equal(created.statusCode, 202, created.body);
  await inject({ method: 'GET', url: created.json().eventsUrl }).then((r) => parseSse(r.body));
  return created.json().id;
}

test('GET /api/jobs lists recent jobs newest first, bounded, with trimmed requests', async () => {
  assert.deepEqual((await inject({ method: 'GET', url: '/api/jobs' })).json(), { jobs: [] });
  const first = await runJob('first');
  const second = await runJob('second ' + 'x'.repeat(2000));
  const list = (await inject({ method: 'GET', url: '/api/jobs' })).json();
  assert.deepEqual(
    list.jobs.map((j: { id: string }) => j.id),
    [second, first],
  );
  const [top] = list.jobs;
  assert.equal(top.status, 'succeeded');
  assert.match(top.result.resultUrl, new RegExp(`/api/jobs/${second}/result.png`));
  assert.equal(top.eventsUrl, `/api/jobs/${second}/events`);
  assert.equal(top.request.prompt.length, 501, 'the prompt is cut to 500 characters + …');
  assert.equal(top.request.instances[0].phrase.length, 501);
  assert.equal(top.request.instances[0].reference, ref);
  assert.ok(JSON.stringify(list).length < 4000, 'small records');

  const one = (await inject({ method: 'GET', url: '/api/jobs?limit=1' })).json();
  assert.deepEqual(
    one.jobs.map((j: { id: string }) => j.id),
    [second],
  );
  const bad = await inject({ method: 'GET', url: '/api/jobs?limit=1000' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /limit/);
});
