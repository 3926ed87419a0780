import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InjectOptions } from 'fastify';
import sharp from 'sharp';
import { parseServeArgs } from '../args.ts';
import { discPng, multipart, tinyServer, type Json } from '../test-util.ts';

// A matting dir with a stand-in "u2netp" (the imaging tests' tiny model: dark pixels = subject).
const TINY = fileURLToPath(
  new URL('../../../imaging/test-fixtures/tiny-matting.onnx', import.meta.url),
);
let dir: string;
let server: Awaited<ReturnType<typeof tinyServer>>;
const saved = process.env.CONTEXTGEN_MATTING_DIR;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cg-matting-'));
  await mkdir(join(dir, 'u2netp'));
  await copyFile(TINY, join(dir, 'u2netp', 'model.onnx'));
  process.env.CONTEXTGEN_MATTING_DIR = dir;
  server = await tinyServer({ cutout: 'auto' });
});
after(async () => {
  await server.done();
  if (saved === undefined) delete process.env.CONTEXTGEN_MATTING_DIR;
  else process.env.CONTEXTGEN_MATTING_DIR = saved;
  await rm(dir, { recursive: true, force: true });
});

const inject = (opts: InjectOptions) => server.app!.inject(opts);

async function upload(file: Buffer, query = ''): Promise<{ status: number; body: Json }> {
  const r = await inject({
    method: 'POST',
    url: `/api/uploads${query}`,
    ...multipart(file, 'ref.png', 'image/png'),
  });
  return { status: r.statusCode, body: r.json() };
}

/** A dark hair ring open at the chin around a face of the backdrop's colour, on white. */
async function faceOnWhite(): Promise<Buffer> {
  const svg = `<svg width="120" height="110"><path d="M56 83 A30 30 0 1 1 64 83 L63 76 A20 20 0 1 0 57 76 Z" fill="#281e1e"/></svg>`;
  return sharp({ create: { width: 120, height: 110, channels: 3, background: '#f5f5f5' } })
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toBuffer();
}

test('GET /api/cutout-methods lists the heuristic and each backend with licence and install command', async () => {
  const r = await inject({ method: 'GET', url: '/api/cutout-methods' });
  assert.equal(r.statusCode, 200);
  const body = r.json();
  assert.equal(body.default, 'auto');
  assert.equal(body.auto, 'u2netp');
  assert.deepEqual(
    body.methods.map((m: Json) => [m.id, m.installed, m.copyleft]),
    [
      ['heuristic', true, false],
      ['u2netp', true, false],
      ['isnet-imgly', false, true],
    ],
  );
  const isnet = body.methods.find((m: Json) => m.id === 'isnet-imgly');
  assert.equal(isnet.install, 'npm run matting:install -- isnet-imgly --accept-agpl');
  assert.match(isnet.licence, /^AGPL-3\.0/);
});

test('auto uses the installed backend and says which one made the mask', async () => {
  const { status, body } = await upload(await discPng());
  assert.equal(status, 201);
  assert.equal(body.maskSource, 'auto');
  assert.equal(body.cutoutMethod, 'u2netp');
  assert.deepEqual(body.warnings, []);
});

test('the heuristic, asked for, reports a face cut out of a portrait as a warning', async () => {
  const { status, body } = await upload(await faceOnWhite(), '?method=heuristic');
  assert.equal(status, 201);
  assert.equal(body.cutoutMethod, 'heuristic');
  assert.equal(body.warnings.length, 1, JSON.stringify(body.warnings));
  assert.match(body.warnings[0], /hole inside the subject/);
  const again = await inject({ method: 'GET', url: `/api/uploads/${body.id}` });
  assert.deepEqual(again.json().warnings, body.warnings, 'kept for a reloaded editor');
  // Redone with the backend: no doubt left, and the method is recorded.
  const redo = await inject({
    method: 'POST',
    url: `/api/uploads/${body.id}/cutout`,
    payload: { mode: 'auto', method: 'u2netp' },
  });
  assert.equal(redo.statusCode, 200);
  assert.equal(redo.json().cutoutMethod, 'u2netp');
  assert.deepEqual(redo.json().warnings, []);
  const later = await inject({ method: 'GET', url: `/api/uploads/${body.id}` });
  assert.deepEqual(later.json().warnings, [], 'the redone cutout has no doubt left');
  const none = await inject({
    method: 'POST',
    url: `/api/uploads/${body.id}/cutout`,
    payload: { mode: 'none' },
  });
  assert.equal(none.json().cutoutMethod, undefined, 'no automatic method for the whole image');
});

test('a backend that is not installed is a 422 that says how to install it; an unknown one is a 400', async () => {
  const { status, body } = await upload(await discPng(), '?method=isnet-imgly');
  assert.equal(status, 422);
  assert.equal(body.error.code, 'cutout_backend_unavailable');
  assert.match(body.error.message, /npm run matting:install -- isnet-imgly --accept-agpl/);
  const bad = await upload(await discPng(), '?method=rembg');
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /must be one of auto, heuristic, u2netp, isnet-imgly/);
});

test('serve --cutout sets the default method and refuses an unknown one with the choices', () => {
  const opts = parseServeArgs(['--cutout', 'u2netp'], {}, () => '/models/x', '/');
  assert.equal(opts.cutout, 'u2netp');
  assert.equal(parseServeArgs([], {}, () => '/models/x', '/').cutout, undefined);
  assert.throws(
    () => parseServeArgs(['--cutout=rembg'], {}, () => '/models/x', '/'),
    /--cutout "rembg": use one of auto, heuristic, u2netp, isnet-imgly/,
  );
});
