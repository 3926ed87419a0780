import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import sharp from 'sharp';
import { discPng, multipart, rgbaPng, tinyServer } from '../test-util.ts';

let server: Awaited<ReturnType<typeof tinyServer>>;
before(async () => {
  server = await tinyServer({ limits: { maxUploadBytes: 200_000, maxUploadPixels: 300 * 300 } });
});
after(() => server.done());

const inject = (opts: InjectOptions) => server.app!.inject(opts);

async function upload(file: Buffer, name: string, type: string) {
  const r = await inject({ method: 'POST', url: '/api/uploads', ...multipart(file, name, type) });
  return { status: r.statusCode, body: r.json() };
}

test('an upload on a plain background is cut out automatically', async () => {
  const { status, body } = await upload(await discPng(), 'disc.png', 'image/png');
  assert.equal(status, 201);
  assert.match(body.id, /^upl_[a-z2-7]{20}$/);
  assert.equal(body.maskSource, 'auto');
  // disc radius 14 on 64x48: area pi*14^2 = 616 of 3072 px = 0.20
  assert.ok(body.maskCoverage > 0.15 && body.maskCoverage < 0.26, String(body.maskCoverage));
  const cut = await inject({ method: 'GET', url: body.urls.cutout });
  assert.equal(cut.headers['content-type'], 'image/png');
  const { data, info } = await sharp(cut.rawPayload).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 4);
  assert.equal(data[3], 0, 'the corner is background: transparent');
  assert.equal(data[(24 * 64 + 32) * 4 + 3], 255, 'the centre is the subject: opaque');
  const original = await inject({ method: 'GET', url: body.urls.original });
  assert.equal(original.headers['content-type'], 'image/png');
  assert.equal(
    (await inject({ method: 'GET', url: `/api/uploads/${body.id}` })).json().name,
    'disc.png',
  );
});

test('an RGBA upload keeps its alpha as the mask, and the cutout can be redone', async () => {
  const { body } = await upload(await rgbaPng(), 'square.png', 'image/png');
  assert.equal(body.maskSource, 'alpha');
  assert.ok(Math.abs(body.maskCoverage - 0.25) < 0.02, String(body.maskCoverage));
  const none = await inject({
    method: 'POST',
    url: `/api/uploads/${body.id}/cutout`,
    payload: { mode: 'none' },
  });
  assert.equal(none.statusCode, 200);
  assert.equal(none.json().maskCoverage, 1);
  const auto = await inject({
    method: 'POST',
    url: `/api/uploads/${body.id}/cutout`,
    payload: { mode: 'auto', threshold: 20 },
  });
  assert.equal(auto.json().maskSource, 'auto');
  const bad = await inject({
    method: 'POST',
    url: `/api/uploads/${body.id}/cutout`,
    payload: { mode: 'magic' },
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /mode: must be "auto"/);
});

test('alpha mode on an opaque image is a clear 422', async () => {
  const { body } = await upload(await discPng(), 'disc.png', 'image/png');
  const r = await inject({
    method: 'POST',
    url: `/api/uploads/${body.id}/cutout`,
    payload: { mode: 'alpha' },
  });
  assert.equal(r.statusCode, 422);
  assert.match(r.json().error.message, /no transparency/);
});

test('JPEG uploads are accepted', async () => {
  const { status, body } = await upload(await discPng(64, 48, 'jpeg'), 'photo.jpg', 'image/jpeg');
  assert.equal(status, 201);
  assert.equal(
    (await inject({ method: 'GET', url: body.urls.original })).headers['content-type'],
    'image/jpeg',
  );
});

test('limit: a file over the byte limit is 413 with the limit named', async () => {
  const big = await sharp({ create: { width: 290, height: 290, channels: 3, background: '#000' } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  assert.ok(big.length > 200_000);
  const { status, body } = await upload(big, 'big.png', 'image/png');
  assert.equal(status, 413);
  assert.match(body.error.message, /over the 0\.2 MiB upload limit/);
});

test('limit: an image over the pixel limit is 413 with its size and the limit', async () => {
  const wide = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
  const { status, body } = await upload(wide, 'wide.png', 'image/png');
  assert.equal(status, 413);
  assert.match(body.error.message, /400x300 .* over the 0\.1 megapixel limit; downscale it/);
});

test('content type: a non-image type, a type that lies and non-image bytes are 415', async () => {
  const png = await discPng();
  const text = await upload(Buffer.from('hello'), 'notes.txt', 'text/plain');
  assert.equal(text.status, 415);
  assert.match(text.body.error.message, /sent as text\/plain; upload a PNG, JPEG or WebP/);
  const lie = await upload(await discPng(64, 48, 'jpeg'), 'fake.png', 'image/png');
  assert.equal(lie.status, 415);
  assert.match(lie.body.error.message, /sent as image\/png but its bytes are jpeg/);
  const junk = await upload(Buffer.from('GIF89a not really'), 'x.png', 'image/png');
  assert.equal(junk.status, 415);
  assert.match(junk.body.error.message, /not a readable image/);
  const svg = await upload(
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    'x.svg',
    'image/svg+xml',
  );
  assert.equal(svg.status, 415);
  const json = await inject({
    method: 'POST',
    url: '/api/uploads',
    payload: { file: png.toString('base64') },
  });
  assert.equal(json.statusCode, 415);
  assert.match(json.json().error.message, /multipart\/form-data/);
});

test('a form without a "file" field is a 400 that names the field', async () => {
  const r = await inject({
    method: 'POST',
    url: '/api/uploads',
    ...multipart(await discPng(), 'disc.png', 'image/png', 'image'),
  });
  assert.equal(r.statusCode, 400);
  assert.match(r.json().error.message, /came in field "image"; name the field "file"/);
});

test('no path traversal: malformed ids and file names are refused before touching storage', async () => {
  const { body } = await upload(await discPng(), '../../../etc/passwd.png', 'image/png');
  assert.equal(body.name, 'passwd.png', 'the client name is reduced to a display name');
  for (const url of [
    '/api/uploads/..%2F..%2Fetc%2Fpasswd/original',
    '/api/uploads/upl_%2e%2e/mask.png',
    `/api/uploads/${body.id}/..%2Fmeta.json`,
    `/api/uploads/${body.id}/meta.json`,
    '/api/uploads/UPL_AAAAAAAAAAAAAAAAAAAA/mask.png',
  ]) {
    const r = await inject({ method: 'GET', url });
    assert.equal(r.statusCode, 400, url);
    assert.equal(r.json().error.code, 'invalid_id', url);
  }
  const traversal = await inject({ method: 'GET', url: `/api/uploads/${body.id}/../../jobs` });
  // the URL is normalised to /api/jobs, the job list route: no file of the storage folder
  assert.ok(
    [400, 404].includes(traversal.statusCode) || Array.isArray(traversal.json().jobs),
    traversal.body,
  );
  const escape = await inject({ method: 'GET', url: `/api/uploads/${body.id}/../../../job.json` });
  assert.ok([400, 404].includes(escape.statusCode), escape.body);
  const unknown = await inject({
    method: 'GET',
    url: '/api/uploads/upl_aaaaaaaaaaaaaaaaaaaa/mask.png',
  });
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.json().error.message, /no upload upl_a+ on this server/);
});

test('a plain image with no subject keeps the whole image as mask and says so', async () => {
  const plain = await sharp({
    create: { width: 40, height: 40, channels: 3, background: '#ffffff' },
  })
    .png()
    .toBuffer();
  const { status, body } = await upload(plain, 'blank.png', 'image/png');
  assert.equal(status, 201);
  assert.equal(body.maskSource, 'none');
  assert.equal(body.maskCoverage, 1);
  assert.match(body.warnings[0], /found no subject .* whole image is used/);
});
