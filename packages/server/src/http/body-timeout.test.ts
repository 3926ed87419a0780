import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { tinyServer } from '../test-util.ts';

/** Sends the head and part of a body, then stalls; resolves with what came back and when. */
function stall(port: number, path: string, type: string): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const sock = connect(port, '127.0.0.1');
    let text = '';
    sock.on('data', (d) => (text += d.toString()));
    sock.on('close', () => resolve({ text, ms: Date.now() - t0 }));
    sock.on('error', reject);
    sock.write(
      `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: ${type}\r\ncontent-length: 5000\r\n\r\n` +
        '{"width": 32, ',
    );
  });
}

test('a stalled request body is answered 408 and its connection closed', async () => {
  const s = await tinyServer({ limits: { bodyTimeoutMs: 400 } });
  try {
    const port = Number(new URL(s.url!).port);
    const json = await stall(port, '/api/jobs', 'application/json');
    assert.match(json.text, /^HTTP\/1\.1 408/);
    assert.match(json.text, /"code":"request_timeout".*did not arrive within 0\.4 s/);
    assert.ok(json.ms < 3000, `closed after ${json.ms} ms`);
    const upload = await stall(port, '/api/uploads', 'multipart/form-data; boundary=x');
    assert.match(upload.text, /^HTTP\/1\.1 408/);
    // A complete body is not affected.
    const ok = await fetch(`${s.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ width: 32, height: 32, prompt: 'x', steps: 1 }),
    });
    assert.equal(ok.status, 202);
  } finally {
    await s.done();
  }
});
