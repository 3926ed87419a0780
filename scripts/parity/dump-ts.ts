/**
 * Run a request through the TypeScript pipeline exactly as `contextgen generate` does (CLI image
 * decoding, core `generate`, ONNX Runtime executor) and dump what the denoiser is fed, for the
 * Python side (scripts/parity/compare.py) to compare with what the trainer builds.
 *
 *   npx tsx scripts/parity/dump-ts.ts REQUEST_JSON MODEL_DIR OUT_DIR [--steps N]
 *
 * OUT_DIR gets:
 *   meta.json      ids, counts, dims, timesteps, seed, warnings
 *   txt.f32 img.f32 pos.i64 seg.i64 inst.i64 cover.i64 valid.i64   first denoiser call (t = 1,
 *                  main rows = the initial noise)
 *   noise.f32      the initial noise (main rows), little-endian float32
 *   out0.f32       the denoiser output of that first call (all image rows)
 *   final.f32      the final latent (main rows, model space)
 *   ts.png         the generated image
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  gaussianNoise,
  generate,
  prepareGeneration,
  timesteps,
  type DenoiserInputs,
  type Executor,
  type Float32Tensor,
  type GenerationRequest,
} from '@contextgen/core';
import { writePng } from '@contextgen/imaging';
import { loadModel } from '@contextgen/runtime';
import { decodeRequestImages } from '../../packages/cli/src/request-images.ts';

interface Call {
  readonly inputs: DenoiserInputs;
  readonly out: Float32Tensor;
}

function copyInputs(i: DenoiserInputs): DenoiserInputs {
  const f = (t: Float32Tensor): Float32Tensor => ({ data: t.data.slice(), dims: [...t.dims] });
  const n = (t: DenoiserInputs['pos']) => ({ data: t.data.slice(), dims: [...t.dims] });
  return {
    txt: f(i.txt),
    img: f(i.img),
    pos: n(i.pos),
    seg: n(i.seg),
    inst: n(i.inst),
    cover: n(i.cover),
    valid: n(i.valid),
    t: f(i.t),
  };
}

/** An executor that forwards to `inner` and keeps a copy of every denoiser call. */
function recording(inner: Executor, calls: Call[]): Executor {
  return {
    manifest: inner.manifest,
    encodeText: (ids, batch, length) => inner.encodeText(ids, batch, length),
    async denoise(inputs) {
      const copy = copyInputs(inputs);
      const out = await inner.denoise(inputs);
      calls.push({ inputs: copy, out: { data: out.data.slice(), dims: [...out.dims] } });
      return out;
    },
    dispose: () => inner.dispose(),
  };
}

async function bytes(path: string, a: Float32Array | BigInt64Array): Promise<void> {
  await writeFile(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

export async function dumpTs(
  requestPath: string,
  modelDir: string,
  outDir: string,
  steps?: number,
): Promise<void> {
  const json = JSON.parse(await readFile(requestPath, 'utf8')) as GenerationRequest;
  const request: GenerationRequest = { ...json, ...(steps !== undefined ? { steps } : {}) };
  const model = await loadModel(modelDir, { threads: 1 });
  try {
    const { images } = await decodeRequestImages(request, dirname(resolve(requestPath)));
    const prep = prepareGeneration(request, images, model.manifest, model.vocab);
    const calls: Call[] = [];
    const result = await generate(request, images, recording(model.executor, calls), {
      vocab: model.vocab,
    });
    const P = model.manifest.tokenSize;
    const D = P * P * 3;
    const nMain = prep.plan.mainGrid.h * prep.plan.mainGrid.w;
    const ts = timesteps(prep.request.steps, nMain, model.manifest.sampling.shift);
    if (prep.request.guidance !== 1 || calls.length !== ts.length - 1) {
      throw new Error('dump-ts expects guidance 1 (one denoiser call per step)');
    }
    const last = calls[calls.length - 1]!;
    const final = last.inputs.img.data.slice(0, nMain * D);
    const dt = ts[ts.length - 1]! - ts[ts.length - 2]!;
    for (let j = 0; j < final.length; j++) final[j] = final[j]! + dt * last.out.data[j]!;

    await mkdir(outDir, { recursive: true });
    const first = calls[0]!.inputs;
    for (const k of ['txt', 'img'] as const) await bytes(join(outDir, `${k}.f32`), first[k].data);
    for (const k of ['pos', 'seg', 'inst', 'cover', 'valid'] as const)
      await bytes(join(outDir, `${k}.i64`), first[k].data);
    await bytes(join(outDir, 'noise.f32'), gaussianNoise(prep.seed, nMain * D));
    await bytes(join(outDir, 'out0.f32'), calls[0]!.out.data);
    await bytes(join(outDir, 'final.f32'), final);
    await writePng(join(outDir, 'ts.png'), result.image);
    const meta = {
      promptIds: prep.promptIds,
      phraseIds: prep.phraseIds,
      seed: prep.seed,
      steps: prep.request.steps,
      timesteps: ts,
      firstT: first.t.data[0],
      nMain,
      dims: Object.fromEntries(
        (['txt', 'img', 'pos', 'seg', 'inst', 'cover', 'valid'] as const).map((k) => [
          k,
          first[k].dims,
        ]),
      ),
      outDims: calls[0]!.out.dims,
      warnings: result.warnings,
    };
    await writeFile(join(outDir, 'meta.json'), JSON.stringify(meta) + '\n');
  } finally {
    await model.executor.dispose();
  }
}

async function main(argv: string[]): Promise<void> {
  const stepsAt = argv.indexOf('--steps');
  const steps = stepsAt >= 0 ? Number(argv[stepsAt + 1]) : undefined;
  const pos = stepsAt >= 0 ? argv.filter((_, i) => i !== stepsAt && i !== stepsAt + 1) : argv;
  const [requestPath, modelDir, outDir] = pos;
  if (requestPath === undefined || modelDir === undefined || outDir === undefined) {
    console.error(
      'usage: npx tsx scripts/parity/dump-ts.ts REQUEST_JSON MODEL_DIR OUT_DIR [--steps N]',
    );
    process.exitCode = 2;
    return;
  }
  await dumpTs(requestPath, modelDir, outDir, steps);
  console.log(`wrote ${outDir}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
