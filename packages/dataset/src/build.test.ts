import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { words } from '@contextgen/core';
import { buildDataset } from './build.ts';
import type { BuildOptions } from './build.ts';
import { repoRoot } from './atlas-file.ts';
import { decodeShard } from './shard.ts';
import type { DatasetMeta, DecodedRecord } from './shard.ts';
import { testAtlas } from './test-helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'imig-build-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

const base = { count: 24, size: 64, refSize: 32, seed: 1, shardSize: 8 } as const;

async function build(name: string, extra: Partial<BuildOptions> = {}): Promise<string> {
  const out = join(root, name);
  await buildDataset({ ...base, out, workers: 0, ...extra }, testAtlas());
  return out;
}

function shardBytes(dir: string): Buffer[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('shard-'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

function records(dir: string): { meta: DatasetMeta; records: DecodedRecord[] } {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as DatasetMeta;
  const all = meta.shards.flatMap((s) =>
    decodeShard(readFileSync(join(dir, s.file)), meta.size, meta.refSize),
  );
  return { meta, records: all };
}

test('same seed gives the same bytes with 0 or 2 workers; another seed differs', async () => {
  const inProcess = await build('w0');
  const threaded = await build('w2', { workers: 2 });
  const other = await build('seed2', { seed: 2 });
  assert.deepEqual(shardBytes(threaded), shardBytes(inProcess));
  assert.deepEqual(
    readFileSync(join(threaded, 'meta.json')),
    readFileSync(join(inProcess, 'meta.json')),
  );
  assert.notDeepEqual(shardBytes(other), shardBytes(inProcess));
});

test('shards round-trip: meta counts, ids in order, captions inside the vocabulary', async () => {
  const { meta, records: recs } = records(await build('roundtrip'));
  assert.equal(meta.format, 'imig-synth/1');
  assert.equal(meta.count, base.count);
  assert.deepEqual(
    meta.shards.map((s) => s.count),
    [8, 8, 8],
  );
  assert.deepEqual(
    recs.map((r) => r.header.id),
    [...Array(base.count).keys()],
  );
  const vocab = new Set(meta.vocab);
  assert.deepEqual(meta.vocab, [...meta.vocab].sort());
  for (const r of recs) {
    for (const w of words(r.header.caption))
      assert.ok(vocab.has(w), `caption word "${w}" in vocab`);
    for (const inst of r.header.instances)
      for (const w of words(inst.phrase)) assert.ok(vocab.has(w), `phrase word "${w}" in vocab`);
    assert.equal(r.target.length, 64 * 64 * 3);
    assert.equal(r.references.length, r.header.instances.length);
  }
});

test('the held-out identities never appear in training shards, and the heldout split uses only them', async () => {
  const heldout = new Set(testAtlas().heldout);
  const train = records(await build('train', { count: 48, shardSize: 24 }));
  const held = records(await build('heldout', { count: 24, split: 'heldout' }));
  for (const r of train.records)
    for (const i of r.header.instances)
      assert.ok(!heldout.has(i.identity), `${i.identity} leaked into train`);
  for (const r of held.records)
    for (const i of r.header.instances)
      assert.ok(heldout.has(i.identity), `${i.identity} is not held out`);
  assert.ok(train.meta.identities.every((k) => !heldout.has(k)));
  assert.deepEqual(new Set(held.meta.identities), heldout);
});

test('an interrupted build resumes from the last complete shard and gives the same bytes', async () => {
  const clean = await build('clean');
  const out = join(root, 'resumed');
  const first = await buildDataset({ ...base, out, workers: 0, stopAfterShards: 1 }, testAtlas());
  assert.equal(first.complete, false);
  assert.equal(
    existsSync(join(out, 'meta.json')),
    false,
    'no meta.json before the build is complete',
  );
  // A half-written shard from a crash is redone, not trusted.
  const second = await buildDataset({ ...base, out, workers: 0 }, testAtlas());
  assert.equal(second.reusedShards, 1);
  assert.equal(second.renderedSamples, 16);
  assert.deepEqual(shardBytes(out), shardBytes(clean));
  await assert.rejects(
    buildDataset({ ...base, seed: 9, out, workers: 0 }, testAtlas()),
    /other settings/,
  );
});

test('bad options name the flag and the allowed range', async () => {
  await assert.rejects(
    buildDataset({ ...base, count: 0, out: join(root, 'bad') }, testAtlas()),
    /--count must be an integer from 1/,
  );
  await assert.rejects(
    buildDataset({ ...base, levels: [3, 9], out: join(root, 'bad') }, testAtlas()),
    /--levels \(max\)/,
  );
});

test('the stdlib Python checker (and the training reader, when the venv exists) accept the shards', async (t) => {
  const dir = await build('python');
  const venv = join(repoRoot(), '.venv', 'bin', 'python');
  const python = existsSync(venv) ? venv : 'python3';
  const r = spawnSync(
    python,
    [
      join(repoRoot(), 'scripts', 'device', 'check_shards.py'),
      dir,
      '--expect-count',
      '24',
      '--json',
    ],
    { encoding: 'utf8' },
  );
  if (r.error) {
    t.skip(`no Python to run: ${r.error.message}`);
    return;
  }
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { records: number; python_reader: string };
  assert.equal(summary.records, 24);
  if (existsSync(venv)) assert.match(summary.python_reader, /^ok/);
});
