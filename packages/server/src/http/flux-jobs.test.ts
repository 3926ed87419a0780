/** The server running jobs on the published-model kind (tiny random FLUX folder, real Python worker). */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { tinyFluxModel } from '../../../runtime/src/flux/tiny-flux.test-util.ts';
import { multipart, parseSse, rgbaPng, tinyServer } from '../test-util.ts';

let folder: string;
let server: Awaited<ReturnType<typeof tinyServer>>;
let ref: string;
before(async () => {
  folder = await tinyFluxModel();
  server = await tinyServer({ modelDirs: [folder] });
  ref = (
    await inject({
      method: 'POST',
      url: '/api/uploads',
      ...multipart(await rgbaPng(), 'b.png', 'image/png'),
    })
  ).json().id;
});
after(async () => {
  await server?.done();
  await rm(folder, { recursive: true, force: true });
});

const inject = (opts: InjectOptions) => server.app!.inject(opts);

const body = (steps: number) => ({
  width: 64,
  height: 64,
  prompt: 'a blue box',
  seed: 3,
  steps,
  instances: [{ box: [8, 8, 56, 56], reference: ref }],
});

test('a flux job streams progress with previews over SSE and succeeds; the model is listed with its kind limits', async () => {
  const models = (await inject({ method: 'GET', url: '/api/models' })).json();
  assert.equal(models.models[0].name, 'tiny-flux-random');
  assert.equal(models.models[0].tokenSize, 16);
  assert.deepEqual(models.models[0].defaults, { steps: 2, guidance: 3.5 });
  const created = await inject({ method: 'POST', url: '/api/jobs', payload: body(2) });
  assert.equal(created.statusCode, 202, created.body);
  const events = parseSse((await inject({ method: 'GET', url: created.json().eventsUrl })).body);
  const progress = events.filter((e) => e.event === 'progress');
  assert.deepEqual(
    progress.map((e) => e.data.step),
    [1, 2],
  );
  assert.match(String(progress.at(-1)!.data.preview), /^data:image\/png;base64,/);
  assert.equal(events.at(-1)?.data.status, 'succeeded');
});

test('a running flux job can be cancelled and the next job still runs', async () => {
  const first = (await inject({ method: 'POST', url: '/api/jobs', payload: body(40) })).json();
  const next = (await inject({ method: 'POST', url: '/api/jobs', payload: body(2) })).json();
  const cancel = await inject({ method: 'POST', url: `/api/jobs/${first.id}/cancel` });
  assert.equal(cancel.statusCode, 202);
  const firstEvents = parseSse(
    (await inject({ method: 'GET', url: `/api/jobs/${first.id}/events` })).body,
  );
  assert.equal(firstEvents.at(-1)?.data.status, 'cancelled');
  const nextEvents = parseSse(
    (await inject({ method: 'GET', url: `/api/jobs/${next.id}/events` })).body,
  );
  assert.equal(nextEvents.at(-1)?.data.status, 'succeeded');
});
