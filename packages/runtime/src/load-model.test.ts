import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planTokens, type DenoiserInputs } from '@contextgen/core';
import { readModelCard } from './generators/registry.ts';
import { loadModel } from './load-model.ts';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures', 'tiny-model');
const int64 = (values: ArrayLike<number>): BigInt64Array =>
  BigInt64Array.from(Array.from(values), (v) => BigInt(v));

test('the tiny fixture model loads and runs one encodeText and one denoise with the contract shapes', async () => {
  const model = await loadModel(FIXTURE, { threads: 1 });
  try {
    assert.equal(model.manifest.trained, false);
    assert.equal(model.vocab[16], 'cat');
    const emb = await model.executor.encodeText(int64([2, 16, 9, 5]), 1, 4);
    const Dt = model.manifest.io.textEncoder.outputs.emb!.shape[2] as number;
    assert.deepEqual(emb.dims, [1, 4, Dt]);
    assert.equal(emb.data.length, 4 * Dt);

    // 32x32 canvas, P=8: 16 main + 16 layout tokens, one instance with a 2x1 reference grid.
    const plan = planTokens({
      width: 32,
      height: 32,
      tokenSize: 8,
      textTokens: 4,
      phraseTokens: [0],
      boxes: [[0, 0, 16, 24]],
      refGrids: [{ h: 2, w: 1, valid: [1, 0] }],
    });
    const D = 8 * 8 * 3;
    const N = plan.length;
    const img = new Float32Array(plan.imageLength * D).map((_, i) => Math.sin(i) * 0.5);
    const inputs: DenoiserInputs = {
      txt: emb,
      img: { data: img, dims: [1, plan.imageLength, D] },
      pos: { data: int64(plan.pos), dims: [1, N, 3] },
      seg: { data: int64(plan.descriptors.seg), dims: [1, N] },
      inst: { data: int64(plan.descriptors.inst), dims: [1, N] },
      cover: { data: int64(plan.descriptors.cover), dims: [1, N] },
      valid: { data: int64(plan.descriptors.valid), dims: [1, N] },
      t: { data: new Float32Array([0.7]), dims: [1] },
    };
    const out = await model.executor.denoise(inputs);
    assert.deepEqual(out.dims, [1, plan.imageLength, D]);
    assert.ok(out.data.every(Number.isFinite), 'finite output');
    assert.ok(
      out.data.some((v) => v !== 0),
      'not all zeros',
    );
  } finally {
    await model.executor.dispose();
  }
});

test('a runtime failure lists the inputs with dims and dtypes', async () => {
  const model = await loadModel(FIXTURE, { threads: 1 });
  try {
    const bad = { data: new Float32Array(6), dims: [1, 2, 3] }; // Dt should be 16
    const z = { data: new BigInt64Array(2), dims: [1, 2] };
    await assert.rejects(
      model.executor.denoise({
        txt: bad,
        img: { data: new Float32Array(0), dims: [1, 0, 192] },
        pos: { data: new BigInt64Array(6), dims: [1, 2, 3] },
        seg: z,
        inst: z,
        cover: z,
        valid: z,
        t: { data: new Float32Array(1), dims: [1] },
      }),
      (err: Error) => {
        assert.equal(err.name, 'ModelRunError');
        assert.match(err.message, /denoiser failed in ONNX Runtime/);
        assert.match(err.message, /Inputs given:\n {2}txt: float32 \[1, 2, 3\]/);
        assert.match(err.message, /pos: int64 \[1, 2, 3\]/);
        assert.match(err.message, /Inputs model.json declares:\n {2}txt: float32 \[B, Ntxt, 16\]/);
        return true;
      },
    );
  } finally {
    await model.executor.dispose();
  }
});

async function copyFixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-model-'));
  await cp(FIXTURE, dir, { recursive: true });
  return dir;
}

interface EditableManifest {
  files: Record<string, string>;
  io: Record<string, { inputs: Record<string, unknown> }>;
}

async function editManifest(dir: string, edit: (m: EditableManifest) => void): Promise<void> {
  const m = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as EditableManifest;
  edit(m);
  await writeFile(join(dir, 'model.json'), JSON.stringify(m));
}

test('a model folder whose ONNX inputs do not match model.json gives one error listing what is missing', async () => {
  const dir = await copyFixture();
  // The "denoiser" file is really the text encoder: it has input ids and output emb.
  await editManifest(dir, (m) => {
    m.files.denoiser = 'text_encoder.onnx';
  });
  await assert.rejects(loadModel(dir), (err: Error) => {
    assert.equal(err.name, 'ModelIoError');
    assert.match(err.message, /its ONNX files do not match model\.json/);
    assert.match(
      err.message,
      /denoiser ONNX inputs lack "txt", "img", "pos", "seg", "inst", "cover", "valid", "t" \(the file has: "ids"\)/,
    );
    assert.match(err.message, /denoiser ONNX outputs lack "out" \(the file has: "emb"\)/);
    assert.match(err.message, /Re-export the model/);
    return true;
  });
  await rm(dir, { recursive: true });
});

test('a manifest that renames an input the executor feeds is reported', async () => {
  const dir = await copyFixture();
  await editManifest(dir, (m) => {
    const inputs = m.io.textEncoder!.inputs;
    inputs.tokens = inputs.ids;
    delete inputs.ids;
  });
  await assert.rejects(
    loadModel(dir),
    /model\.json io\.textEncoder\.inputs lacks "ids"[\s\S]*textEncoder ONNX inputs lack "tokens" \(the file has: "ids"\)/,
  );
  await rm(dir, { recursive: true });
});

test('missing files, a missing folder and a broken manifest name the problem', async () => {
  const dir = await copyFixture();
  await rm(join(dir, 'denoiser.onnx'));
  await assert.rejects(
    loadModel(dir),
    /lacks denoiser\.onnx named in model\.json; copy the complete folder/,
  );
  await writeFile(join(dir, 'model.json'), '{ nope');
  await assert.rejects(loadModel(dir), /model\.json: model\.json is not valid JSON/);
  await writeFile(join(dir, 'model.json'), JSON.stringify({ format: 'contextgen-model/1' }));
  await assert.rejects(loadModel(dir), /not a valid contextgen-model\/1 manifest:\n {2}name:/);
  await assert.rejects(loadModel(join(dir, 'absent')), /model folder .*absent does not exist/);
  await rm(dir, { recursive: true });
});

test('a model card from an unreadable or broken model.json names the file and the fix', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cg-card-json-'));
  await assert.rejects(
    readModelCard(dir),
    /model\.json: cannot read model\.json \(ENOENT\); a model folder holds model\.json and the files it names/,
  );
  await writeFile(join(dir, 'model.json'), '{ nope');
  await assert.rejects(
    readModelCard(dir),
    /model\.json: model\.json is not valid JSON \(.+\); fix or re-export it/,
  );
  await rm(dir, { recursive: true });
});
