import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import sharp from 'sharp';
import { discPng, multipart, parseSse, rgbaPng, tinyServer } from '../test-util.ts';

let server: Awaited<ReturnType<typeof tinyServer>>;
let refA: string;
let refB: string;
before(async () => {
  server = await tinyServer({ limits: { maxBodyBytes: 20_000 } });
  refA = (
    await inject({
      method: 'POST',
      url: '/api/uploads',
      ...multipart(await discPng(), 'a.png', 'image/png'),
    })
  ).json().id;
  refB = (
    await inject({
      method: 'POST',
      url: '/api/uploads',
      ...multipart(await rgbaPng(), 'b.png', 'image/png'),
    })
  ).json().id;
});
after(() => server.done());

const inject = (opts: InjectOptions) => server.app!.inject(opts);

const twoRefs = () => ({
  width: 64,
  height: 48,
  prompt: 'a ball and a box',
  steps: 3,
  instances: [
    { box: [0, 0, 32, 32], reference: refA, phrase: 'ball' },
    { box: [30, 10, 60, 40], reference: refB },
  ],
});

async function runToEnd(body: unknown) {
  const created = await inject({ method: 'POST', url: '/api/jobs', payload: body as object });
  assert.equal(created.statusCode, 202, created.body);
  const { id, eventsUrl } = created.json();
  const events = parseSse((await inject({ method: 'GET', url: eventsUrl })).body);
  return { id, events, job: (await inject({ method: 'GET', url: `/api/jobs/${id}` })).json() };
}

test('models are listed with the untrained flag and warning', async () => {
  const r = (await inject({ method: 'GET', url: '/api/models' })).json();
  assert.equal(r.default, 'tiny-random-fixture');
  assert.equal(r.models[0].untrained, true);
  assert.match(r.models[0].warning, /untrained .* trained: false/);
  assert.equal(r.models[0].limits.maxInstances, 4);
});

test('health and the OpenAPI description with the shared request schema', async () => {
  const h = (await inject({ method: 'GET', url: '/api/health' })).json();
  assert.deepEqual([h.ok, h.queue, h.auth], [true, 'local', false]);
  const doc = (await inject({ method: 'GET', url: '/api/openapi.json' })).json();
  assert.equal(doc.openapi, '3.1.0');
  for (const p of [
    '/api/uploads',
    '/api/jobs',
    '/api/jobs/{id}',
    '/api/jobs/{id}/events',
    '/api/jobs/{id}/cancel',
    '/api/models',
    '/api/health',
  ]) {
    assert.ok(doc.paths[p], p);
  }
  const body = doc.paths['/api/jobs'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(body.required.sort(), ['height', 'prompt', 'width']);
  assert.equal(body.properties.seed.maximum, 0xffffffff);
});

test('a job returns an id at once, streams progress with previews, and reports the seed and the untrained flag', async () => {
  const { id, events, job } = await runToEnd({ ...twoRefs(), steps: 4 });
  const kinds = events.map((e) => e.event);
  assert.equal(kinds[0], 'status');
  assert.equal(kinds.at(-1), 'done');
  const progress = events.filter((e) => e.event === 'progress');
  assert.deepEqual(
    progress.map((p) => p.data.step),
    [1, 2, 3, 4],
  );
  assert.match(String(progress[0]!.data.preview), /^data:image\/png;base64,/);
  assert.equal(job.status, 'succeeded');
  assert.equal(job.id, id);
  assert.ok(Number.isInteger(job.result.seed) && job.result.seed >= 0);
  assert.equal(job.result.untrained, true);
  assert.match(job.result.warnings[0], /untrained/);
  const png = await inject({ method: 'GET', url: job.result.resultUrl });
  const meta = await sharp(png.rawPayload).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 64, 48]);
  const layout = await inject({ method: 'GET', url: job.result.layoutUrl });
  assert.equal(layout.statusCode, 200);
});

test('the same seed gives the same image; the seed used is the one asked for', async () => {
  const a = await runToEnd({ ...twoRefs(), seed: 1234 });
  const b = await runToEnd({ ...twoRefs(), seed: 1234 });
  assert.equal(a.job.result.seed, 1234);
  const pa = (await inject({ method: 'GET', url: a.job.result.resultUrl })).rawPayload;
  const pb = (await inject({ method: 'GET', url: b.job.result.resultUrl })).rawPayload;
  assert.ok(pa.equals(pb));
});

test('request errors are 400 and name the field', async () => {
  const cases: [object, RegExp][] = [
    [
      { ...twoRefs(), instances: Array.from({ length: 5 }, () => ({ box: [0, 0, 8, 8] })) },
      /instances: 5 given but at most 4/,
    ],
    [{ ...twoRefs(), instances: [{ box: [40, 0, 10, 20] }] }, /instances\[0\]\.box: .* inverted/],
    [{ ...twoRefs(), instances: [{ box: [0, 0, 8] }] }, /instances\[0\]\.box/],
    [{ ...twoRefs(), width: 512 }, /width: 512 px is outside this model's range 16\.\.64/],
    [{ ...twoRefs(), seed: -1 }, /seed/],
    [
      { ...twoRefs(), model: 'nope' },
      /model: "nope" is not served here; choose one of tiny-random-fixture/,
    ],
    [
      { ...twoRefs(), instances: [{ box: [0, 0, 8, 8], reference: 'upl_aaaaaaaaaaaaaaaaaaaa' }] },
      /instances\[0\]\.reference: no upload upl_a+ on this server/,
    ],
    [
      { ...twoRefs(), instances: [{ box: [0, 0, 8, 8], reference: '../../etc/passwd' }] },
      /instances\[0\]\.reference: must be an upload id/,
    ],
    [
      { ...twoRefs(), instances: [{ box: [0, 0, 8, 8], reference: refA, mask: refB }] },
      /instances\[0\]\.mask: .*redo it with POST/,
    ],
    [{ width: 64, height: 64 }, /prompt/],
  ];
  for (const [body, message] of cases) {
    const r = await inject({ method: 'POST', url: '/api/jobs', payload: body });
    assert.equal(r.statusCode, 400, JSON.stringify(body));
    assert.match(r.json().error.message, message);
  }
});

test('limits on the body: too large is 413, not JSON is 415, broken JSON is 400', async () => {
  const huge = await inject({
    method: 'POST',
    url: '/api/jobs',
    payload: { ...twoRefs(), prompt: 'x'.repeat(30_000) },
  });
  assert.equal(huge.statusCode, 413);
  assert.match(huge.json().error.message, /over the 20000 byte limit/);
  const text = await inject({
    method: 'POST',
    url: '/api/jobs',
    payload: 'width=64',
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(text.statusCode, 415);
  assert.match(text.json().error.message, /send application\/json/);
  const broken = await inject({
    method: 'POST',
    url: '/api/jobs',
    payload: '{"width": 64',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(broken.statusCode, 400);
});

test('unknown jobs are 404, malformed job ids 400, and results of unfinished jobs are not served', async () => {
  assert.equal(
    (await inject({ method: 'GET', url: '/api/jobs/job_aaaaaaaaaaaaaaaaaaaa' })).statusCode,
    404,
  );
  assert.equal(
    (await inject({ method: 'GET', url: '/api/jobs/..%2f..%2fuploads' })).statusCode,
    400,
  );
  assert.equal(
    (await inject({ method: 'GET', url: '/api/jobs/job_aaaaaaaaaaaaaaaaaaaa/job.json' }))
      .statusCode,
    400,
  );
});
