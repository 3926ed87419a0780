import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { routesOf } from './app.ts';
import { checkExposure, completeOptions } from '../serve.ts';
import { hostName, isLoopback, redactUrl } from './security.ts';
import { TINY_MODEL, tinyServer } from '../test-util.ts';

const TOKEN = 's3cret-token';
let server: Awaited<ReturnType<typeof tinyServer>>;
let port: number;
before(async () => {
  server = await tinyServer({ token: TOKEN });
  port = Number(new URL(server.url!).port);
});
after(() => server.done());

/** One raw HTTP/1.1 exchange (so the request target is sent exactly as written); the status. */
function raw(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => {
      data += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        sock.destroy();
        resolve(Number(m[1]));
      }
    });
    sock.on('error', reject);
    const all: Record<string, string> = {
      host: `127.0.0.1:${port}`,
      connection: 'close',
      ...(body ? { 'content-type': 'application/json' } : {}),
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    };
    sock.write(
      `${method} ${target} HTTP/1.1\r\n${Object.entries(all)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n${body}`,
    );
  });
}

const JOB = 'job_' + 'a'.repeat(20);
const UPL = 'upl_' + 'b'.repeat(20);

/** A concrete path for a route pattern. */
function concrete(url: string): string {
  return url
    .replace(/^\/api\/jobs\/:id/, `/api/jobs/${JOB}`)
    .replace(/^\/api\/uploads\/:id/, `/api/uploads/${UPL}`)
    .replace(':file', url.startsWith('/api/jobs') ? 'result.png' : 'cutout.png');
}

/** Spellings of the same path that a router may decode to the same route. */
function variants(path: string): string[] {
  const encodeFirst = path.replace(/^\/a/, '/%61');
  const encodeAll = path.replace(/[a-z]/g, (c) => '%' + c.charCodeAt(0).toString(16));
  const encodeUpper = path.replace(
    /[a-z]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
  return [
    path,
    encodeFirst,
    encodeAll,
    encodeUpper,
    `http://127.0.0.1:${port}${path}`,
    `http://127.0.0.1:${port}${encodeFirst}`,
    `http://evil.example${path}`,
    `${path}?x=1`,
    `${path}?token=`,
    `${path}?token=wrong`,
    `//${path.slice(1)}`,
    `${path}/`,
    path.replace('/api/', '/api//'),
    path.replace('/api/', '/./api/'),
    path.replace('/api/', '/x/../api/'),
    path.toUpperCase(),
    `${path}%00`,
    `${path};x`,
  ];
}

test('every non-public route answers 401 without the token, whatever the spelling of its path', async () => {
  const routes = routesOf(server.app!).filter((r) => r.method !== 'HEAD');
  const api = routes.filter((r) => r.url.startsWith('/api/'));
  assert.ok(api.length >= 10, `expected the API routes, got ${api.map((r) => r.url).join(' ')}`);
  const publicOnes = routes.filter((r) => r.public).map((r) => `${r.method} ${r.url}`);
  assert.deepEqual(publicOnes.sort(), ['GET /', 'GET /api/health', 'GET /api/openapi.json']);
  for (const r of routes.filter((x) => !x.public)) {
    const path = concrete(r.url);
    const body = r.method === 'POST' || r.method === 'DELETE' ? '{}' : '';
    for (const target of variants(path)) {
      const status = await raw(r.method, target, {}, body);
      assert.ok(
        status === 401 || status === 404 || status === 400,
        `${r.method} ${target} answered ${status} without the token`,
      );
      // A 400 could only come from a parser before the route; never from a reached route.
      if (status === 400) assert.fail(`${r.method} ${target}: 400 instead of 401`);
    }
    // The plain, percent-encoded and absolute-form spellings reach the route: exactly 401.
    for (const target of variants(path).slice(0, 7))
      assert.equal(await raw(r.method, target, {}, body), 401, `${r.method} ${target}`);
    assert.equal(
      await raw(r.method, path, { authorization: 'Bearer wrong' }, body),
      401,
      `${r.method} ${path} with a wrong token`,
    );
  }
});

test('with the token every route is reached (no 401), and the token in the query works for GET only', async () => {
  const routes = routesOf(server.app!).filter((r) => r.method !== 'HEAD' && !r.public);
  for (const r of routes) {
    const path = concrete(r.url);
    const body = r.method === 'POST' || r.method === 'DELETE' ? '{}' : '';
    for (const target of [path, path.replace(/^\/a/, '/%61'), `http://127.0.0.1:${port}${path}`]) {
      const status = await raw(r.method, target, { authorization: `Bearer ${TOKEN}` }, body);
      assert.notEqual(status, 401, `${r.method} ${target} refused the right token`);
    }
  }
  assert.equal(await raw('GET', `/api/models?token=${TOKEN}`), 200);
  assert.equal(await raw('GET', `/%61pi/models?token=${TOKEN}`), 200);
  assert.equal(await raw('POST', `/api/jobs?token=${TOKEN}`, {}, '{}'), 401);
  assert.equal(await raw('GET', '/api/health'), 200);
  assert.equal(await raw('GET', '/api/openapi.json'), 200);
});

test('Host header: loopback names only on a loopback server', async () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  assert.equal(await raw('GET', '/api/models', { ...auth, host: `localhost:${port}` }), 200);
  assert.equal(await raw('GET', '/api/models', { ...auth, host: `[::1]:${port}` }), 200);
  assert.equal(await raw('GET', '/api/health', { host: 'attacker.example' }), 421);
  assert.equal(await raw('GET', '/api/models', { ...auth, host: 'attacker.example:80' }), 421);
  assert.equal(await raw('GET', '/api/health', { host: '127.0.0.1.attacker.example' }), 421);
});

test('Origin: state-changing requests only from the same origin or an allowed one', async () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  const job = { ...auth, 'content-type': 'application/json' };
  // Cross-origin: refused before the body is read.
  assert.equal(
    await raw('POST', '/api/jobs', { ...job, origin: 'http://evil.example' }, '{}'),
    403,
  );
  assert.equal(
    await raw('POST', '/api/jobs', { ...job, 'sec-fetch-site': 'cross-site' }, '{}'),
    403,
  );
  assert.equal(await raw('POST', '/api/uploads', { ...auth, origin: 'null' }), 403);
  // Same origin: reaches the route (400: the body is not a valid request).
  assert.equal(
    await raw('POST', '/api/jobs', { ...job, origin: `http://127.0.0.1:${port}` }, '{}'),
    400,
  );
  // No Origin (curl, scripts): allowed; the token protects these.
  assert.equal(await raw('POST', '/api/jobs', job, '{}'), 400);
  // GET is not state-changing.
  assert.equal(await raw('GET', '/api/models', { ...auth, origin: 'http://evil.example' }), 200);

  const other = await tinyServer({ allowedOrigins: ['https://editor.example'] });
  try {
    const res = await other.app!.inject({
      method: 'POST',
      url: '/api/jobs',
      headers: { origin: 'https://editor.example' },
      payload: {},
    });
    assert.equal(res.statusCode, 400);
    const bad = await other.app!.inject({
      method: 'POST',
      url: '/api/jobs',
      headers: { origin: 'https://other.example' },
      payload: {},
    });
    assert.equal(bad.statusCode, 403);
    assert.match(bad.json().error.message, /--allowed-origin https:\/\/other\.example/);
  } finally {
    await other.done();
  }
});

test('a non-loopback address without a token is refused unless the unsafe flag is given', async () => {
  const base = { modelDirs: [TINY_MODEL], allowUntrained: true };
  assert.throws(
    () => checkExposure(completeOptions({ ...base, host: '0.0.0.0' })),
    /refusing to listen on 0\.0\.0\.0 without a token.*CONTEXTGEN_TOKEN.*--unsafe-expose-without-token/s,
  );
  assert.throws(() => checkExposure(completeOptions({ ...base, host: '192.168.1.10' })));
  checkExposure(completeOptions({ ...base, host: '0.0.0.0', token: 't' }));
  checkExposure(completeOptions({ ...base, host: '0.0.0.0', unsafeExposeWithoutToken: true }));
  checkExposure(completeOptions({ ...base, host: '127.0.0.2' }));
  checkExposure(completeOptions({ ...base, host: '::1' }));
  // The URL printed is the address bound, not a guess.
  const s = await tinyServer({ host: '0.0.0.0', token: 't' });
  try {
    assert.match(s.url!, /^http:\/\/0\.0\.0\.0:\d+$/);
  } finally {
    await s.done();
  }
});

test('helpers: loopback detection, Host parsing, token redaction', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
    assert.ok(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.evil', '127.0.0.1.nip.io'])
    assert.ok(!isLoopback(h), h);
  assert.equal(hostName('Example.COM:8080'), 'example.com');
  assert.equal(hostName('[::1]:80'), '[::1]');
  assert.equal(hostName('127.0.0.1'), '127.0.0.1');
  assert.equal(
    redactUrl('/api/jobs/x/result.png?a=1&token=abc%20d&b=2'),
    '/api/jobs/x/result.png?a=1&token=[redacted]&b=2',
  );
  assert.equal(redactUrl('/x?TOKEN=abc'), '/x?TOKEN=[redacted]');
});
