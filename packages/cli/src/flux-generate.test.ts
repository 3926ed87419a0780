/** `contextgen generate` on the published-model kind: the tiny random FLUX folder through the real worker. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '@contextgen/runtime';
import { tinyFluxModel } from '../../runtime/src/flux/tiny-flux.test-util.ts';
import { BIN } from './cli-fixtures.test-util.ts';

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      done({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

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
  const r = await cli(['generate', PETS, '-o', png, '--model', folder, '--allow-untrained']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*pets\.png \(128x128, \d+ tokens, 2 steps\)/);
  assert.match(r.stdout, /seed: 7/);
  assert.match(r.stderr, /UNTRAINED model "tiny-flux-random"/);
  const bytes = await readFile(png);
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
});

test('refusals need no worker: untrained without the flag (exit 3), a folder without its LoRA (exit 2)', async () => {
  const r = await cli(['generate', PETS, '-o', join(out, 'x.png'), '--model', folder]);
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
  const b = await cli([
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
