/**
 * Property-based fuzzing (fast-check) of what the server parses from clients: job request
 * bodies, multipart uploads and request targets. The properties: never a 5xx, every refusal
 * is the error shape with a code and a message, nothing a refused request sent is stored, and
 * no spelling of a protected path gets past the token.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { discPng, tinyServer } from '../test-util.ts';

const TOKEN = 'fuzz-token';
let server: Awaited<ReturnType<typeof tinyServer>>;
let png: Buffer;
let ref: string;
const auth = { authorization: `Bearer ${TOKEN}` };
const inject = (o: InjectOptions) =>
  server.app!.inject({ ...o, headers: { ...auth, ...(o.headers ?? {}) } });

before(async () => {
  server = await tinyServer({ token: TOKEN, limits: { maxQueuedJobs: 10_000 } });
  png = await discPng(40, 32);
  const boundary = 'b0';
  const up = await inject({
    method: 'POST',
    url: '/api/uploads',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  });
  ref = up.json().id;
});
after(() => server.done());

function assertErrorShape(status: number, body: string, what: string): void {
  assert.ok(status < 500, `${what}: answered ${status}: ${body.slice(0, 300)}`);
  if (status >= 400) {
    const j = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    assert.equal(typeof j.error?.code, 'string', `${what}: ${body}`);
    assert.equal(typeof j.error?.message, 'string', `${what}: ${body}`);
  }
}

/** A valid request, then fields replaced by arbitrary JSON values. */
const jobBody = fc
  .record(
    {
      width: fc.oneof(
        fc.integer({ min: -100, max: 300 }),
        fc.double(),
        fc.string(),
        fc.constant(null),
      ),
      height: fc.oneof(fc.integer({ min: 8, max: 80 }), fc.jsonValue()),
      prompt: fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue()),
      steps: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.jsonValue()),
      instances: fc.oneof(
        fc.array(
          fc.record(
            {
              box: fc.oneof(
                fc.tuple(
                  fc.integer({ min: -20, max: 90 }),
                  fc.integer({ min: -20, max: 90 }),
                  fc.integer({ min: -20, max: 90 }),
                  fc.integer({ min: -20, max: 90 }),
                ),
                fc.jsonValue(),
              ),
              reference: fc.oneof(
                fc.constant('REF'),
                fc.string(),
                fc.constant('upl_aaaaaaaaaaaaaaaaaaaa'),
                fc.constant('../../etc/passwd'),
              ),
              phrase: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue()),
              mask: fc.jsonValue(),
            },
            { requiredKeys: ['box'] },
          ),
          { maxLength: 6 },
        ),
        fc.jsonValue(),
      ),
      layoutImage: fc.oneof(fc.constant('REF'), fc.string()),
      seed: fc.oneof(fc.integer(), fc.double(), fc.bigInt().map(String)),
      __proto__: fc.jsonValue(),
      constructor: fc.jsonValue(),
    },
    { requiredKeys: [] },
  )
  .map((b) => JSON.parse(JSON.stringify(b).replaceAll('"REF"', JSON.stringify(ref))) as unknown);

test('fuzz: job bodies never cause a 5xx; refusals have the error shape; accepted ones are real jobs', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(jobBody, fc.jsonValue()), async (body) => {
      const r = await inject({
        method: 'POST',
        url: '/api/jobs',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      assertErrorShape(r.statusCode, r.body, JSON.stringify(body).slice(0, 200));
      assert.ok([202, 400, 413, 415, 429].includes(r.statusCode), `${r.statusCode} ${r.body}`);
      if (r.statusCode === 202) {
        const id = r.json().id as string;
        await inject({ method: 'POST', url: `/api/jobs/${id}/cancel` });
      }
    }),
    { numRuns: 250 },
  );
  // Raw bytes that are not JSON at all.
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
      async (bytes, type) => {
        const r = await inject({
          method: 'POST',
          url: '/api/jobs',
          headers: type ? { 'content-type': type } : {},
          payload: Buffer.from(bytes),
        });
        assertErrorShape(r.statusCode, r.body, `raw ${type}`);
      },
    ),
    { numRuns: 150 },
  );
});

const CRLF = '\r\n';

test('fuzz: multipart uploads never cause a 5xx; refused ones store nothing; names are cleaned', async () => {
  const uploadsDir = join(server.options.storageDir, 'uploads');
  const before = new Set(await readdir(uploadsDir));
  let stored = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        boundary: fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,40}$/),
        field: fc.oneof(fc.constant('file'), fc.string({ maxLength: 12 })),
        filename: fc.oneof(fc.string({ maxLength: 60 }), fc.constant('../../x\u0000\n.png')),
        type: fc.constantFrom(
          'image/png',
          'image/jpeg',
          'image/webp',
          'image/svg+xml',
          'text/html',
          'IMAGE/PNG',
          '',
        ),
        content: fc.oneof(
          fc.constant('png'),
          fc.uint8Array({ maxLength: 400 }),
          fc.constant('truncated-png'),
        ),
        tail: fc.constantFrom('close', 'missing', 'garbage'),
        extraParts: fc.integer({ min: 0, max: 3 }),
      }),
      async (u) => {
        const content =
          u.content === 'png'
            ? png
            : u.content === 'truncated-png'
              ? png.subarray(0, Math.floor(png.length / 2))
              : Buffer.from(u.content);
        const part = (name: string, body: Buffer) =>
          Buffer.concat([
            Buffer.from(
              `--${u.boundary}${CRLF}Content-Disposition: form-data; name="${name}"; filename="${u.filename.replace(/["\r\n]/g, '_')}"${CRLF}` +
                (u.type ? `Content-Type: ${u.type}${CRLF}` : '') +
                CRLF,
            ),
            body,
            Buffer.from(CRLF),
          ]);
        const parts = [part(u.field, content)];
        for (let k = 0; k < u.extraParts; k++) parts.push(part(`extra${k}`, Buffer.from('x')));
        const tail =
          u.tail === 'close' ? `--${u.boundary}--${CRLF}` : u.tail === 'garbage' ? '--nope' : '';
        const r = await inject({
          method: 'POST',
          url: '/api/uploads',
          headers: { 'content-type': `multipart/form-data; boundary=${u.boundary}` },
          payload: Buffer.concat([...parts, Buffer.from(tail)]),
        });
        assertErrorShape(
          r.statusCode,
          r.body,
          JSON.stringify({ ...u, content: u.content === 'png' ? 'png' : '...' }),
        );
        if (r.statusCode === 201) {
          stored++;
          const name = r.json().name as string;
          assert.doesNotMatch(name, /[\u0000-\u001f\u007f/\\]/);
          assert.ok(name.length <= 120);
        }
      },
    ),
    { numRuns: 200 },
  );
  const after = (await readdir(uploadsDir)).filter((d) => !before.has(d));
  assert.equal(after.length, stored, 'a refused upload left a folder');
  assert.ok(stored > 0, 'no fuzzed upload was accepted: the generator never makes a valid one');
});

test('fuzz: no percent-encoding of a protected path gets past the token', async () => {
  const paths = ['/api/models', '/api/jobs', `/api/uploads/${'upl_' + 'c'.repeat(20)}`];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...paths),
      fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
      fc.boolean(),
      async (path, encode, upper) => {
        const target = [...path]
          .map((c, k) => {
            if (!encode[k] || c === '/') return c;
            const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
            return '%' + (upper ? hex.toUpperCase() : hex);
          })
          .join('');
        const r = await server.app!.inject({ method: 'GET', url: target });
        assert.ok([401, 404].includes(r.statusCode), `${target} answered ${r.statusCode}`);
      },
    ),
    { numRuns: 300 },
  );
});
