/** `contextgen generate` on the published-model kind: the tiny random FLUX folder through the real worker. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '@contextgen/runtime';
import { tinyFluxModel } from '../../runtime/src/flux/tiny-flux.test-util.ts';
import { runCli } from './cli-fixtures.test-util.ts';

const PETS = join(REPO_ROOT, 'examples', 'pets', 'request.json');
let folder: string;
let out: string;
before(async () => {
  folder = await tinyFluxModel();
  out = await mkdtemp(join(tmpdir(), 'cg-flux-cli-'));
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
});

test('npx contextgen generate --model <flux folder> makes the example image through the worker', async () => {
  const png = join(out, 'pets.png');
  const r = await runCli(['generate', PETS, '-o', png, '--model', folder, '--allow-untrained']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*pets\.png \(128x128, \d+ tokens, 2 steps\)/);
  assert.match(r.stdout, /seed: 7/);
  assert.match(r.stderr, /UNTRAINED model "tiny-flux-random"/);
  const bytes = await readFile(png);
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
});

test('refusals need no worker: untrained without the flag (exit 3), a folder without its LoRA (exit 2)', async () => {
  const r = await runCli(['generate', PETS, '-o', join(out, 'x.png'), '--model', folder]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /trained: false/);
  assert.ok(!existsSync(join(out, 'x.png')));

  const broken = join(out, 'broken');
  await rm(broken, { recursive: true, force: true });
  const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
  await mkdir(broken);
  await writeFile(
    join(broken, 'model.json'),
    JSON.stringify({ ...json, flux: { ...json.flux, lora: join(broken, 'no-lora-here') } }),
  );
  const b = await runCli([
    'generate',
    PETS,
    '-o',
    join(out, 'y.png'),
    '--model',
    broken,
    '--allow-untrained',
  ]);
  assert.equal(b.code, 2, b.stderr);
  assert.match(b.stderr, /no-lora-here does not exist; download the ContextGen LoRA/);
});

test('debug tokens --model <flux folder> prints the plan the worker would get, read through the model card', async () => {
  const r = await runCli(['debug', 'tokens', PETS, '--model', folder]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /reads only the prompt; the instances' phrases are not used/);
  const dbg = JSON.parse(r.stdout);
  assert.equal(dbg.kind, 'flux-kontext-lora');
  assert.deepEqual(dbg.mainGrid, { h: 8, w: 8 }, '128 px at 16 px a token');
  assert.deepEqual(
    dbg.segments.map((s: { name: string; length: number }) => [s.name, s.length]),
    [
      ['text', 512],
      ['main', 64],
      ['layout', 64],
      ['ref_0', 4],
      ['ref_1', 4],
      ['ref_2', 4],
      ['ref_3', 4],
    ],
    'no phrase segments: the text is the prompt, tokenized by the worker',
  );
  assert.equal(dbg.promptIds, undefined);
  assert.equal(dbg.length, 656);
  assert.equal(dbg.cla.length, dbg.length);
  assert.equal(dbg.pos.length, dbg.length);
  // Main token 0 (pixels 0..16) lies in the cat's box [6, 10, 62, 66]: it reads the cat's
  // reference in ICA rows only, and no other reference.
  const main0 = dbg.segments.find((s: { name: string }) => s.name === 'main').start;
  const cols = (row: number[], name: string): number => {
    const seg = dbg.segments.find((s: { name: string }) => s.name === name);
    return row.slice(seg.start, seg.start + seg.length).reduce((a, b) => a + b, 0);
  };
  assert.equal(cols(dbg.cla[main0], 'ref_0'), 0);
  assert.ok(cols(dbg.ica[main0], 'ref_0') > 0);
  assert.equal(cols(dbg.ica[main0], 'ref_1'), 0);
});

/** A safetensors file with the given F32 tensors (zeros). */
function safetensors(tensors: Record<string, number[]>): Buffer {
  let offset = 0;
  const header: Record<string, unknown> = {};
  for (const [name, shape] of Object.entries(tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, json, Buffer.alloc(offset)]);
}

/** Processes whose command line mentions `text` (Linux /proc). */
function processesWith(text: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) out.push(Number(name));
    } catch {
      // ended while we looked
    }
  }
  return out;
}

test('the worker refuses a LoRA of the wrong shape and a GPU profile without CUDA: exit 2, its message, no worker left', async () => {
  const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
  const wrong = join(out, 'wrong-lora');
  await mkdir(wrong, { recursive: true });
  await writeFile(
    join(wrong, 'transformer_00100.safetensors'),
    safetensors({
      'transformer.x_embedder.lora_A.weight': [4, 999],
      'transformer.x_embedder.lora_B.weight': [8, 4],
    }),
  );
  await writeFile(
    join(wrong, 'model.json'),
    JSON.stringify({ ...json, flux: { ...json.flux, lora: wrong } }),
  );
  const r = await runCli([
    'generate',
    PETS,
    '-o',
    join(out, 'w.png'),
    '--model',
    wrong,
    '--allow-untrained',
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /FLUX worker for model "tiny-flux-random": .*x_embedder has lora_A \[4, 999\]/,
  );
  assert.deepEqual(processesWith(wrong), []);

  const gpu = join(out, 'gpu-only');
  await mkdir(gpu, { recursive: true });
  await writeFile(
    join(gpu, 'model.json'),
    JSON.stringify({ ...json, flux: { ...json.flux, profile: 'fp8' } }),
  );
  const g = await runCli(
    ['generate', PETS, '-o', join(out, 'g.png'), '--model', gpu, '--allow-untrained'],
    {
      CUDA_VISIBLE_DEVICES: '',
    },
  );
  assert.equal(g.code, 2, g.stderr);
  assert.match(g.stderr, /needs a CUDA GPU/);
  assert.ok(!existsSync(join(out, 'g.png')));
  assert.deepEqual(processesWith(gpu), []);
});
