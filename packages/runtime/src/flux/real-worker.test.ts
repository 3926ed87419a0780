/** End to end through the real Python worker on the tiny random FLUX folder (CPU). */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { CancelledError, type GenerationRequest, type ReferenceCutout } from '@contextgen/core';
import { openGenerator } from '../generators/registry.ts';
import { tinyFluxModel } from './tiny-flux.test-util.ts';
import type { WorkerSupervisor } from './worker-process.ts';

function cutout(side: number): ReferenceCutout {
  const data = new Uint8ClampedArray(side * side * 4);
  const mask = new Uint8Array(side * side);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const i = y * side + x;
      data.set([(x * 9) % 256, (y * 7) % 256, 90, 255], i * 4);
      if (x > 3 && y > 3 && x < side - 3 && y < side - 3) mask[i] = 255;
    }
  return {
    image: { width: side, height: side, data },
    mask: { width: side, height: side, data: mask },
  };
}

const request = (seed: number, steps = 2): GenerationRequest => ({
  width: 64,
  height: 48,
  prompt: 'a cat next to a dog',
  seed,
  steps,
  instances: [
    { box: [0, 0, 32, 32], reference: 'a' },
    { box: [30, 10, 64, 48], reference: 'b' },
  ],
});
const images = { references: [cutout(24), cutout(20)] };

let folder: string;
let gen: Awaited<ReturnType<typeof openGenerator>> & { worker?: WorkerSupervisor };
before(async () => {
  folder = await tinyFluxModel();
  gen = await openGenerator(folder, { allowUntrained: true });
});
after(async () => {
  await gen?.dispose();
  await rm(folder, { recursive: true, force: true });
});

test('the real worker makes an image; the same seed gives the same bytes, another seed differs', async () => {
  assert.equal(gen.card.kind, 'flux-kontext-lora');
  const steps: string[] = [];
  const a = await gen.generate(request(5), images, {
    onProgress: (p) => steps.push(`${p.step}/${p.total}`),
  });
  assert.deepEqual([a.image.width, a.image.height], [64, 48]);
  assert.deepEqual(steps, ['1/2', '2/2']);
  const b = await gen.generate(request(5), images);
  assert.ok(Buffer.from(a.image.data).equals(Buffer.from(b.image.data)), 'same seed, same bytes');
  const c = await gen.generate(request(6), images);
  assert.ok(!Buffer.from(a.image.data).equals(Buffer.from(c.image.data)), 'another seed differs');
  assert.equal(gen.worker!.starts, 1, 'kept warm');
});

test('cancel stops a job between steps and the worker serves the next one', async () => {
  const ac = new AbortController();
  const pid = gen.worker!.pid;
  await assert.rejects(
    gen.generate(request(7, 12), images, { signal: ac.signal, onProgress: () => ac.abort() }),
    CancelledError,
  );
  assert.equal((await gen.generate(request(7), images)).seed, 7);
  assert.equal(gen.worker!.pid, pid);
});

test('a worker killed (SIGKILL) mid-job fails that job clearly; the next job gets a fresh worker', async () => {
  const pid = gen.worker!.pid!;
  await assert.rejects(
    gen.generate(request(8, 12), images, { onProgress: () => process.kill(pid, 'SIGKILL') }),
    (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'crash');
      assert.match(
        err.message,
        /was killed by SIGKILL during job .* the next job starts a fresh worker/,
      );
      return true;
    },
  );
  const r = await gen.generate(request(5), images);
  assert.deepEqual([r.image.width, r.image.height], [64, 48]);
  assert.notEqual(gen.worker!.pid, pid);
  assert.equal(gen.worker!.starts, 2);
});

/** Live child processes of this test process (Linux /proc). */
function children(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z') out.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

test('a worker that cannot load the model (layerKinds of the wrong length) fails to open clearly; no process left', async () => {
  const bad = await tinyFluxModel({ layerKinds: ['cla', 'ica'] });
  const before = children();
  try {
    await assert.rejects(
      openGenerator(bad, { allowUntrained: true }),
      (err: Error & { kind?: string }) => {
        assert.equal(err.name, 'ModelFolderError');
        assert.equal(err.kind, 'bad-input');
        assert.match(err.message, /FLUX worker for model "tiny-flux-random": .*layerKinds/);
        return true;
      },
    );
    assert.deepEqual(
      children().filter((p) => !before.includes(p)),
      [],
    );
  } finally {
    await rm(bad, { recursive: true, force: true });
  }
});

test('out of memory in a job (injected) fails that job with the worker message; the worker stays up', async () => {
  const oomFolder = await tinyFluxModel();
  process.env.CONTEXTGEN_FLUX_FAULT = 'oom@1';
  let g: Awaited<ReturnType<typeof openGenerator>> & { worker?: WorkerSupervisor };
  try {
    g = await openGenerator(oomFolder, { allowUntrained: true });
  } finally {
    delete process.env.CONTEXTGEN_FLUX_FAULT;
  }
  try {
    const pid = g.worker!.pid;
    for (let i = 0; i < 2; i++) {
      await assert.rejects(g.generate(request(9), images), (err: Error & { kind?: string }) => {
        assert.equal(err.kind, 'oom');
        assert.match(err.message, /FLUX worker for model "tiny-flux-random": out of memory/);
        return true;
      });
    }
    assert.equal(g.worker!.pid, pid);
    assert.equal(g.worker!.starts, 1);
  } finally {
    await g.dispose();
    await rm(oomFolder, { recursive: true, force: true });
  }
});
