import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from './ids.ts';
import { Storage, type UploadMeta } from './storage.ts';

test('uploads and job files round-trip under their ids, and malformed ids are refused', async () => {
  const root = await mkdtemp(join(tmpdir(), 'cg-storage-'));
  try {
    const s = new Storage(root);
    await s.init();
    const id = newId('upl');
    const meta: UploadMeta = {
      id,
      name: '../../evil.png',
      format: 'jpeg',
      width: 2,
      height: 1,
      cutoutWidth: 2,
      cutoutHeight: 1,
      maskSource: 'auto',
      maskCoverage: 0.5,
      createdAt: 'now',
    };
    await s.saveUpload(meta, {
      original: new Uint8Array([1]),
      cutout: new Uint8Array([2]),
      mask: new Uint8Array([3]),
    });
    assert.deepEqual(await s.readUploadMeta(id), meta);
    assert.ok(
      s.uploadPath(id, 'original', meta).endsWith(join(id, 'original.jpg')),
      'client name never used in a path',
    );
    assert.deepEqual([...(await s.readUploadFile(id, 'mask.png'))!], [3]);
    assert.equal(await s.readUploadMeta(newId('upl')), undefined);

    const job = newId('job');
    await s.writeJobFile(job, 'job.json', JSON.stringify({ id: job }));
    assert.deepEqual(await s.readJobRecord(job), { id: job });
    assert.equal(await s.readJobFile(job, 'result.png'), undefined);

    assert.throws(() => s.uploadPath('../../etc', 'mask.png'), /malformed upl id/);
    assert.throws(
      () => s.jobPath(id, 'job.json'),
      /malformed job id/,
      'an upload id is not a job id',
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('start-up removes .tmp files a crash left (old ones), keeps fresh ones another process may be writing', async () => {
  const root = await mkdtemp(join(tmpdir(), 'cg-storage-'));
  try {
    const s = new Storage(root);
    await s.init();
    const id = newId('job');
    await s.writeJobFile(id, 'job.json', '{}');
    const dir = join(root, 'jobs', id);
    await writeFile(join(dir, 'result.png.1.0.tmp'), 'partial');
    await writeFile(join(dir, 'result.png.2.0.tmp'), 'being written');
    const old = new Date(Date.now() - 3600_000);
    await utimes(join(dir, 'result.png.1.0.tmp'), old, old);
    await new Storage(root).init();
    assert.deepEqual((await readdir(dir)).sort(), ['job.json', 'result.png.2.0.tmp']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
