/** `contextgen doctor`: what is missing and how to get it, with exit codes. */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tinyFluxModel } from '../../runtime/src/flux/tiny-flux.test-util.ts';
import { runCli, TINY_MODEL } from './cli-fixtures.test-util.ts';

/** The bin's exit code and its stdout and stderr together. */
async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const r = await runCli(args, env);
  return { code: r.code, out: r.stdout + r.stderr };
}

let folder: string;
let tmp: string;
before(async () => {
  folder = await tinyFluxModel();
  tmp = await mkdtemp(join(tmpdir(), 'cg-doctor-'));
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
  await rm(tmp, { recursive: true, force: true });
});

test('a complete flux folder with the packages installed is ready (exit 0); fp8 on the CPU is not (exit 2)', async () => {
  const ok = await cli(['doctor', '--model', folder, '--device', 'cpu']);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /ok {3}python packages: Python 3\.\d+.*diffusers \d/);
  assert.match(ok.out, /ok {3}model files: .*transformer_00100\.safetensors/);
  assert.match(ok.out, /ready: /);
  const fp8 = await cli([
    'doctor',
    '--model',
    folder,
    '--profile',
    'fp8',
    '--device',
    'cpu',
    '--json',
  ]);
  assert.equal(fp8.code, 2, fp8.out);
  const report = JSON.parse(fp8.out);
  const cuda = report.checks.find((c: { name: string }) => c.name.startsWith('CUDA'));
  assert.equal(cuda.ok, false);
  assert.ok(cuda.fix.length > 0);
});

test('missing Python, missing packages and a missing folder are named with their fix (exit 2)', async () => {
  const none = await cli(['doctor', '--model', folder], {
    CONTEXTGEN_PYTHON: join(tmp, 'no-python'),
  });
  assert.equal(none.code, 2);
  assert.match(
    none.out,
    /FAIL python: cannot run .*no-python \(ENOENT\)\n {5}fix: install Python 3\.11/,
  );

  const fake = join(tmp, 'python-without-diffusers');
  await writeFile(
    fake,
    '#!/bin/sh\necho "ModuleNotFoundError: No module named \'diffusers\'" >&2\nexit 1\n',
  );
  await chmod(fake, 0o755);
  const bare = await cli(['doctor', '--model', folder], { CONTEXTGEN_PYTHON: fake });
  assert.equal(bare.code, 2);
  assert.match(bare.out, /FAIL python packages: .*No module named 'diffusers'/s);
  assert.match(bare.out, /fix: .*pip install -r python\/requirements-published\.txt/);

  const missing = await cli(['doctor', '--model', join(tmp, 'nowhere')]);
  assert.equal(missing.code, 2);
  assert.match(missing.out, /nowhere/);
});

test('the embedded model needs only its folder', async () => {
  const r = await cli(['doctor', '--model', TINY_MODEL]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /kind onnx-embedded/);
});
