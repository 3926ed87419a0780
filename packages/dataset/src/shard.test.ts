import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from './sample.ts';
import { decodeRecord, decodeShard, encodeRecord, shardFileName } from './shard.ts';

function fakeSample(id: number, k: number): Sample {
  const fill = (n: number, v: number): Uint8Array =>
    new Uint8Array(n).map((_, i) => (i * 7 + v) & 255);
  return {
    id,
    scene: 'beach',
    level: k,
    caption: `a beach scene with ${k} things é`,
    target: fill(4 * 4 * 3, 1),
    layout: fill(4 * 4 * 3, 2),
    instances: Array.from({ length: k }, (_, j) => ({
      identity: `id${j}`,
      name: `thing ${j}`,
      phrase: `thing ${j}`,
      box: [0, 0, 2 + j, 3] as [number, number, number, number],
      z: j,
      reference: fill(2 * 2 * 4, 10 + j),
      mask: fill(4 * 4, 20 + j),
    })),
  };
}

test('records round-trip byte for byte, several per shard', () => {
  const samples = [fakeSample(0, 1), fakeSample(1, 3), fakeSample(2, 2)];
  const parts = samples.map((s) => encodeRecord(s, 4, 2));
  const shard = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    shard.set(p, o);
    o += p.length;
  }
  const back = decodeShard(shard, 4, 2);
  assert.equal(back.length, 3);
  back.forEach((r, i) => {
    const s = samples[i]!;
    assert.equal(r.header.caption, s.caption);
    assert.deepEqual(
      r.header.instances.map((x) => x.box),
      s.instances.map((x) => x.box),
    );
    assert.deepEqual(r.target, s.target);
    assert.deepEqual(r.layout, s.layout);
    assert.deepEqual(
      r.references,
      s.instances.map((x) => x.reference),
    );
    assert.deepEqual(
      r.masks,
      s.instances.map((x) => x.mask),
    );
  });
  // Layout: u32 header length then the JSON header.
  const len = new DataView(parts[0]!.buffer).getUint32(0, true);
  assert.equal(parts[0]!.length, 4 + len + 2 * 48 + 16 + 16);
});

test('a truncated record is reported with its position', () => {
  const rec = encodeRecord(fakeSample(5, 2), 4, 2);
  assert.throws(
    () => decodeRecord(rec.subarray(0, rec.length - 1), 0, 4, 2),
    /truncated in record 5/,
  );
  assert.equal(shardFileName(12), 'shard-00012.bin');
});
