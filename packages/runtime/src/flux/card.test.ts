import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kindOf, readModelCard, openGenerator } from '../generators/registry.ts';
import { DIFFUSERS_PARTS, isFluxCard, parseFluxCard } from './card.ts';
import { chooseLoraFile, latestCheckpoint } from './lora-file.ts';

const EMBEDDED_FIXTURE = fileURLToPath(new URL('../../test-fixtures/tiny-model', import.meta.url));

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cg-flux-card-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A folder shaped like a flux-kontext-lora model (empty files: nothing is loaded here). */
async function fluxFolder(
  name: string,
  opts: { skip?: string[]; lora?: string[]; json?: Record<string, unknown> } = {},
): Promise<string> {
  const dir = join(root, name);
  const base = join(dir, 'base');
  await mkdir(base, { recursive: true });
  for (const part of DIFFUSERS_PARTS) {
    if (opts.skip?.includes(part)) continue;
    if (part.endsWith('.json')) await writeFile(join(base, part), '{}');
    else await mkdir(join(base, part), { recursive: true });
  }
  await mkdir(join(dir, 'lora'), { recursive: true });
  for (const f of opts.lora ?? ['transformer_00100.safetensors'])
    await writeFile(join(dir, 'lora', f), '');
  await writeFile(
    join(dir, 'model.json'),
    JSON.stringify({
      kind: 'flux-kontext-lora',
      name,
      trained: true,
      flux: { diffusers: 'base', lora: 'lora' },
      ...opts.json,
    }),
  );
  return dir;
}

test('the kind comes from model.json: absent = onnx-embedded, unknown = an error listing the kinds', async () => {
  assert.equal(kindOf({ name: 'x' }, '/m').kind, 'onnx-embedded');
  assert.equal(kindOf({ kind: 'flux-kontext-lora' }, '/m').kind, 'flux-kontext-lora');
  assert.throws(
    () => kindOf({ kind: 'sdxl' }, '/m'),
    /kind "sdxl" is not one this version runs; use one of onnx-embedded, flux-kontext-lora/,
  );
  const card = await readModelCard(EMBEDDED_FIXTURE);
  assert.equal(card.kind, 'onnx-embedded');
  assert.equal(card.trained, false);
  await assert.rejects(openGenerator(card), { name: 'UntrainedModelError' });
  const g = await openGenerator(card, { allowUntrained: true, threads: 1 });
  assert.equal(
    g.validate({ width: 64, height: 64, prompt: 'x', instances: [] }).request.steps,
    card.sampling.steps,
  );
  await g.dispose();
});

test('LoRA choice: an explicit file, else the highest transformer_NNNNN in a folder', async () => {
  assert.equal(
    latestCheckpoint([
      'transformer_00900.safetensors',
      'transformer_01000.safetensors',
      'transformer_100.safetensors',
      'transformer_99999.bin',
      'notes.txt',
    ]),
    'transformer_01000.safetensors',
  );
  assert.equal(latestCheckpoint(['lora.safetensors']), undefined);
  const dir = await fluxFolder('lora-pick', {
    lora: ['transformer_00200.safetensors', 'transformer_01500.safetensors', 'other.safetensors'],
  });
  assert.equal(
    chooseLoraFile(join(dir, 'lora')),
    join(dir, 'lora', 'transformer_01500.safetensors'),
  );
  assert.equal(
    chooseLoraFile(join(dir, 'lora', 'other.safetensors')),
    join(dir, 'lora', 'other.safetensors'),
  );
  const odd = await fluxFolder('lora-odd', { lora: ['contextgen.safetensors'] });
  assert.throws(
    () => chooseLoraFile(join(odd, 'lora')),
    /holds no transformer_NNNNN\.safetensors \(it has contextgen\.safetensors: name the file in "flux\.lora" explicitly\)/,
  );
  assert.throws(
    () => chooseLoraFile(join(odd, 'missing')),
    /does not exist; download the ContextGen LoRA/,
  );
  await writeFile(join(odd, 'lora', 'weights.bin'), '');
  assert.throws(
    () => chooseLoraFile(join(odd, 'lora', 'weights.bin')),
    /is not a \.safetensors file/,
  );
});

test('a flux folder parses to a card with the published sequence rules; overrides come from model.json', async () => {
  const dir = await fluxFolder('published');
  const card = await readModelCard(dir);
  assert.ok(isFluxCard(card));
  assert.equal(card.tokenSize, 16);
  assert.equal(card.flux.textTokens, 512);
  assert.equal(card.flux.profile, 'full');
  assert.equal(card.flux.dtype, 'bfloat16');
  assert.deepEqual([card.sampling.steps, card.sampling.guidance], [28, 3.5]);
  assert.equal(card.flux.lora, join(dir, 'lora', 'transformer_00100.safetensors'));
  assert.equal(card.flux.references.rule, 'shorter-side-buckets');

  const small = parseFluxCard(
    {
      kind: 'flux-kontext-lora',
      name: 'small',
      trained: false,
      flux: {
        diffusers: join(dir, 'base'),
        lora: join(dir, 'lora'),
        dtype: 'float32',
        profile: 'offload',
      },
      limits: { minSide: 64 },
      referenceBuckets: [
        { maxShorterSide: 512, base: 64 },
        { maxShorterSide: 128, base: 32 },
      ],
    },
    dir,
  );
  assert.equal(small.limits.minSide, 64);
  assert.equal(small.limits.maxSide, 1536);
  assert.equal(small.flux.profile, 'offload');
  const refs = small.flux.references;
  assert.ok(refs.rule === 'shorter-side-buckets');
  assert.deepEqual(
    refs.buckets.map((b) => b.base),
    [32, 64],
  );
});

test('bad flux folders name what is missing and how to get it', async () => {
  const partial = await fluxFolder('partial', { skip: ['text_encoder_2', 'vae'] });
  await assert.rejects(
    readModelCard(partial),
    /is not a complete diffusers FLUX\.1-Kontext folder; it lacks vae, text_encoder_2\. Download FLUX\.1-Kontext-dev/,
  );
  const noLora = await fluxFolder('no-lora', { lora: [] });
  await assert.rejects(readModelCard(noLora), /holds no transformer_NNNNN\.safetensors/);
  const badProfile = await fluxFolder('bad-profile', {
    json: { flux: { diffusers: 'base', lora: 'lora', profile: 'int4' } },
  });
  await assert.rejects(readModelCard(badProfile), /flux\.profile: .*"full"\|"offload"\|"fp8"/);
  const noBase = await fluxFolder('no-base', {
    json: { flux: { diffusers: 'elsewhere', lora: 'lora' } },
  });
  await assert.rejects(readModelCard(noBase), {
    name: 'ModelFolderError',
    message: /elsewhere .*does not exist/,
  });
  await assert.rejects(readModelCard(join(root, 'nothing-here')), /does not exist; pass --model/);
  // an API-only server process never loads weights: it reads the card without the file checks
  const apiOnly = await readModelCard(noBase, { checkFiles: false });
  assert.equal(apiOnly.kind, 'flux-kontext-lora');
  assert.equal(apiOnly.limits.maxInstances, 10);
});
