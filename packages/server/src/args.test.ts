import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgsError, parseServeArgs } from './args.ts';

const noModel = () => '/models/embedded';

test('defaults: loopback, port 8787, the default model, local queue, worker and http', () => {
  const o = parseServeArgs([], {}, noModel, '/w');
  assert.equal(o.host, '127.0.0.1');
  assert.equal(o.port, 8787);
  assert.deepEqual(o.modelDirs, ['/models/embedded']);
  assert.equal(o.storageDir, '/w/data/server');
  assert.equal(o.redis, undefined);
  assert.equal(o.token, undefined);
  assert.ok(o.http && o.worker && !o.allowUntrained);
});

test('flags, inline values and environment', () => {
  const o = parseServeArgs(
    ['--port=9000', '--model', 'm1', '--model', '/abs/m2', '--allow-untrained', '--no-worker'],
    { REDIS_URL: 'redis://x', CONTEXTGEN_TOKEN: 't', CONTEXTGEN_REDIS_LOCK_MS: '2000' },
    noModel,
    '/w',
  );
  assert.equal(o.port, 9000);
  assert.deepEqual(o.modelDirs, ['/w/m1', '/abs/m2']);
  assert.equal(o.token, 't');
  assert.equal(o.redis?.url, 'redis://x');
  assert.equal(o.redis?.lockDurationMs, 2000);
  assert.equal(o.worker, false);
});

test('bad arguments say what is wrong', () => {
  assert.throws(
    () => parseServeArgs(['--port', 'abc'], {}, noModel),
    /--port must be a whole number in 0\.\.65535, got "abc"/,
  );
  assert.throws(() => parseServeArgs(['--model'], {}, noModel), /--model needs a value \(DIR\)/);
  assert.throws(
    () => parseServeArgs(['--model', '--quiet'], {}, noModel),
    /--model needs a value \(DIR\), got the option --quiet/,
  );
  assert.throws(
    () => parseServeArgs(['--frobnicate'], {}, noModel),
    /unknown option --frobnicate for contextgen serve/,
  );
  assert.throws(() => parseServeArgs(['--prot', '1'], {}, noModel), /did you mean --port\?/);
  assert.throws(() => parseServeArgs(['stray'], {}, noModel), /takes no arguments besides options/);
  assert.throws(
    () => parseServeArgs(['--worker-only'], {}, noModel),
    /--worker-only needs REDIS_URL/,
  );
  assert.throws(
    () => parseServeArgs(['--worker-only', '--no-worker'], { REDIS_URL: 'r' }, noModel),
    ArgsError,
  );
});

test('--storage beats CONTEXTGEN_STORAGE; -h asks for the usage', () => {
  const o = parseServeArgs(['--storage', 's'], { CONTEXTGEN_STORAGE: 'e' }, noModel, '/w');
  assert.equal(o.storageDir, '/w/s');
  assert.equal(parseServeArgs([], { CONTEXTGEN_STORAGE: 'e' }, noModel, '/w').storageDir, '/w/e');
  assert.throws(() => parseServeArgs(['-h'], {}, noModel), /^ArgsError: Usage: contextgen serve/);
});

test('exposure, retention and drain flags (issue 12)', () => {
  const o = parseServeArgs(
    [
      '--allowed-origin',
      'https://editor.example:8443',
      '--allowed-host',
      'Proxy.Example',
      '--unsafe-expose-without-token',
      '--retention-days',
      '7',
      '--drain-seconds=5',
    ],
    {},
    noModel,
    '/w',
  );
  assert.deepEqual(o.allowedOrigins, ['https://editor.example:8443']);
  assert.deepEqual(o.allowedHosts, ['proxy.example']);
  assert.equal(o.unsafeExposeWithoutToken, true);
  assert.equal(o.retentionMs, 7 * 86_400_000);
  assert.equal(o.drainMs, 5000);
  const d = parseServeArgs([], {}, noModel, '/w');
  assert.equal(d.retentionMs, 0);
  assert.equal(d.drainMs, 30_000);
  assert.equal(d.unsafeExposeWithoutToken, undefined);
  assert.throws(
    () => parseServeArgs(['--allowed-origin', 'https://x.example/path'], {}, noModel, '/w'),
    /--allowed-origin needs an origin like https:\/\/editor\.example\.com:8443/,
  );
  assert.throws(() => parseServeArgs(['--retention-days', '-1'], {}, noModel, '/w'), ArgsError);
});
