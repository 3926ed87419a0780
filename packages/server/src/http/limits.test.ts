import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { sweepOnce } from '../jobs/retention.ts';
import { discPng, multipart, parseSse, TINY_MODEL, tinyServer } from '../test-util.ts';
import { Storage, type WriteFileFn } from '../storage.ts';

/** The tiny model with maxTokens 128: a 64x64 canvas (128 image tokens + <bos>) does not fit. */
let smallModel: string;
let failing: (path: string) => boolean = () => false;
const write: WriteFileFn = async (p, d) => {
  if (failing(p))
    throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  await writeFile(p, d);
};
let server: Awaited<ReturnType<typeof tinyServer>>;
const inject = (o: InjectOptions) => server.app!.inject(o);

before(async () => {
  smallModel = await mkdtemp(join(tmpdir(), 'cg-small-model-'));
  await cp(TINY_MODEL, smallModel, { recursive: true });
  const manifest = JSON.parse(await readFile(join(smallModel, 'model.json'), 'utf8'));
  manifest.name = 'tiny-128';
  manifest.limits.maxTokens = 128;
  await writeFile(join(smallModel, 'model.json'), JSON.stringify(manifest));
  server = await tinyServer({ modelDirs: [smallModel], storageWrite: write });
});
after(async () => {
  await server.done();
  await rm(smallModel, { recursive: true, force: true });
});

async function runToEnd(body: object) {
  const created = await inject({ method: 'POST', url: '/api/jobs', payload: body });
  assert.equal(created.statusCode, 202, created.body);
  const { id, eventsUrl } = created.json();
  parseSse((await inject({ method: 'GET', url: eventsUrl })).body);
  return (await inject({ method: 'GET', url: `/api/jobs/${id}` })).json();
}

test('published limits are runnable; a request over the token budget is refused at submit with the count', async () => {
  const model = (await inject({ method: 'GET', url: '/api/models' })).json().models[0];
  // (128 - 1) / 2 = 63 main tokens at most: a 7x7-token square, 56 px.
  assert.equal(model.limits.maxSide, 56);
  assert.equal(model.limits.maxCanvasTokens, 63);
  const side = model.limits.maxSide;
  const done = await runToEnd({ width: side, height: side, prompt: '', steps: 1 });
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));

  const over = await inject({
    method: 'POST',
    url: '/api/jobs',
    payload: { width: 64, height: 64, prompt: 'a red ball', steps: 1 },
  });
  assert.equal(over.statusCode, 400);
  assert.equal(over.json().error.code, 'too_many_tokens');
  assert.match(
    over.json().error.message,
    /needs 132 tokens \(128 image \+ layout, 0 reference, 4 text\) but this model handles at most 128/,
  );
  assert.equal(await server.queue.activeCount(), 0);
});

test('references count by their mask box, known from the upload', async () => {
  const up = await inject({
    method: 'POST',
    url: '/api/uploads',
    ...multipart(await discPng(), 'a.png', 'image/png'),
  });
  assert.equal(up.statusCode, 201, up.body);
  const id = up.json().id;
  // 48x40 canvas: 30 main tokens -> 60 + <bos>; each reference adds its grid (refArea 256 = 4 tokens).
  const body = (n: number) => ({
    width: 48,
    height: 40,
    prompt: '',
    steps: 1,
    instances: Array.from({ length: n }, () => ({ box: [0, 0, 16, 16], reference: id })),
  });
  const fits = await inject({ method: 'POST', url: '/api/jobs', payload: body(4) });
  assert.equal(fits.statusCode, 202, fits.body);
  const bigger = await inject({
    method: 'POST',
    url: '/api/jobs',
    payload: { ...body(4), width: 64, height: 56 },
  });
  assert.equal(bigger.statusCode, 400);
  assert.match(
    bigger.json().error.message,
    /needs 129 tokens \(112 image \+ layout, 16 reference, 1 text\)/,
  );
  const noRefs = await inject({
    method: 'POST',
    url: '/api/jobs',
    payload: { ...body(0), width: 64, height: 56 },
  });
  assert.equal(noRefs.statusCode, 202, noRefs.body);
});

test('DELETE removes a finished job and its files; an active job must be cancelled first', async () => {
  const done = await runToEnd({ width: 32, height: 32, prompt: 'x', steps: 1 });
  const dir = join(server.options.storageDir, 'jobs', done.id);
  assert.ok((await readdir(dir)).includes('result.png'));
  const del = await inject({ method: 'DELETE', url: `/api/jobs/${done.id}` });
  assert.equal(del.statusCode, 204);
  assert.equal((await inject({ method: 'GET', url: `/api/jobs/${done.id}` })).statusCode, 404);
  await assert.rejects(readdir(dir), /ENOENT/);
  assert.equal((await inject({ method: 'DELETE', url: `/api/jobs/${done.id}` })).statusCode, 404);
});

test('retention deletes finished jobs and uploads older than the period', async () => {
  const done = await runToEnd({ width: 32, height: 32, prompt: 'x', steps: 1 });
  const st = new Storage(server.options.storageDir);
  const keep = await sweepOnce(st, server.queue, 3_600_000);
  assert.deepEqual(keep, { jobs: 0, uploads: 0 });
  const later = Date.now() + 2 * 3_600_000;
  const swept = await sweepOnce(st, server.queue, 3_600_000, later);
  assert.ok(swept.jobs >= 1 && swept.uploads >= 1, JSON.stringify(swept));
  assert.equal((await inject({ method: 'GET', url: `/api/jobs/${done.id}` })).statusCode, 404);
  assert.deepEqual(await st.uploadIds(), []);
});

test('a full disk: uploads and submits answer 507 and leave nothing behind; the server keeps serving', async () => {
  const png = await discPng();
  failing = () => true;
  try {
    const up = await inject({
      method: 'POST',
      url: '/api/uploads',
      ...multipart(png, 'a.png', 'image/png'),
    });
    assert.equal(up.statusCode, 507);
    assert.match(up.json().error.message, /storage .* is full \(ENOSPC\); free disk space/);
    const job = await inject({
      method: 'POST',
      url: '/api/jobs',
      payload: { width: 32, height: 32, prompt: 'x', steps: 1 },
    });
    assert.equal(job.statusCode, 507);
    assert.equal((await inject({ method: 'GET', url: '/api/health' })).statusCode, 200);
  } finally {
    failing = () => false;
  }
  const root = server.options.storageDir;
  const jobs = await readdir(join(root, 'jobs'));
  for (const id of jobs) {
    const rec = JSON.parse(await readFile(join(root, 'jobs', id, 'job.json'), 'utf8'));
    assert.notEqual(rec.status, 'queued', `job ${id} was left queued`);
  }
  assert.deepEqual(await readdir(join(root, 'uploads')), []);
  assert.equal(await server.queue.activeCount(), 0);
});

test('the HTTP queue cap is exact under concurrent submits', async () => {
  const s = await tinyServer({ limits: { maxQueuedJobs: 5 }, stepDelayMs: 200 });
  try {
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        s.app!.inject({
          method: 'POST',
          url: '/api/jobs',
          payload: { width: 32, height: 32, prompt: 'x', steps: 20 },
        }),
      ),
    );
    const codes = answers.map((a) => a.statusCode);
    assert.equal(codes.filter((c) => c === 202).length, 5, codes.join(','));
    assert.equal(codes.filter((c) => c === 429).length, 25);
  } finally {
    await s.done();
  }
});
