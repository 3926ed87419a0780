/**
 * The ONNX Runtime executor (core's `Executor`), shared by the Node and web entries: they differ
 * only in the `ort` module, how files are reached and the execution providers.
 */
import type { DenoiserInputs, Executor, Float32Tensor, ModelManifest } from '@contextgen/core';
import { runFailure, type TensorLike } from './describe-feeds.ts';
import { assertIoMatches } from './io-check.ts';
import type { InferenceSession, OrtApi, Tensor } from './ort-api.ts';

/** Where a component's ONNX bytes come from: a path/URL ONNX Runtime opens itself, or bytes. */
export type ModelSource = string | Uint8Array;

export interface ModelSources {
  /** Folder or URL, named in errors. */
  readonly label: string;
  readonly textEncoder: ModelSource;
  readonly denoiser: ModelSource;
}

/** A loaded model: manifest, vocabulary and the executor running it. */
export interface LoadedModel {
  readonly folder: string;
  readonly manifest: ModelManifest;
  readonly vocab: string[];
  readonly executor: OrtExecutor;
}

function asFloat32(component: string, name: string, value: Tensor | undefined): Float32Tensor {
  if (value === undefined || value.type !== 'float32') {
    throw new Error(
      `${component} output "${name}" is ${value ? value.type : 'missing'}, expected float32; re-export the model`,
    );
  }
  return { data: value.data as Float32Array, dims: value.dims };
}

export class OrtExecutor implements Executor {
  constructor(
    private readonly ort: OrtApi,
    readonly manifest: ModelManifest,
    private readonly textEncoder: InferenceSession,
    private readonly denoiser: InferenceSession,
  ) {}

  private async run(
    component: 'textEncoder' | 'denoiser',
    session: InferenceSession,
    feeds: Record<string, Tensor>,
    output: string,
  ): Promise<Float32Tensor> {
    let result: InferenceSession.ReturnType;
    try {
      result = await session.run(feeds);
    } catch (err) {
      throw runFailure(
        component,
        err,
        feeds as Record<string, TensorLike>,
        this.manifest.io[component].inputs,
      );
    }
    return asFloat32(component, output, result[output] as Tensor | undefined);
  }

  encodeText(ids: BigInt64Array, batch: number, length: number): Promise<Float32Tensor> {
    const feeds = { ids: new this.ort.Tensor('int64', ids, [batch, length]) };
    return this.run('textEncoder', this.textEncoder, feeds, 'emb');
  }

  denoise(inputs: DenoiserInputs): Promise<Float32Tensor> {
    const T = this.ort.Tensor;
    const feeds: Record<string, Tensor> = {
      txt: new T('float32', inputs.txt.data, inputs.txt.dims),
      img: new T('float32', inputs.img.data, inputs.img.dims),
      pos: new T('int64', inputs.pos.data, inputs.pos.dims),
      seg: new T('int64', inputs.seg.data, inputs.seg.dims),
      inst: new T('int64', inputs.inst.data, inputs.inst.dims),
      cover: new T('int64', inputs.cover.data, inputs.cover.dims),
      valid: new T('int64', inputs.valid.data, inputs.valid.dims),
      t: new T('float32', inputs.t.data, inputs.t.dims),
    };
    return this.run('denoiser', this.denoiser, feeds, 'out');
  }

  async dispose(): Promise<void> {
    await Promise.all([this.textEncoder.release(), this.denoiser.release()]);
  }
}

async function createSession(
  ort: OrtApi,
  source: ModelSource,
  options: InferenceSession.SessionOptions,
  what: string,
): Promise<InferenceSession> {
  try {
    return typeof source === 'string'
      ? await ort.InferenceSession.create(source, options)
      : await ort.InferenceSession.create(source, options);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new Error(
      `cannot open ${what} (${typeof source === 'string' ? source : `${source.byteLength} bytes`}): ${detail}\nThe file may be corrupt or from an incompatible exporter; re-export the model.`,
    );
  }
}

/**
 * Open both sessions and check their I/O names against the manifest.
 * @throws ModelIoError listing every missing input/output, or an Error naming the file ONNX Runtime could not open
 */
export async function openModel(
  ort: OrtApi,
  manifest: ModelManifest,
  vocab: string[],
  sources: ModelSources,
  options: InferenceSession.SessionOptions,
): Promise<LoadedModel> {
  const textEncoder = await createSession(
    ort,
    sources.textEncoder,
    options,
    `the text encoder of "${manifest.name}"`,
  );
  let denoiser: InferenceSession;
  try {
    denoiser = await createSession(
      ort,
      sources.denoiser,
      options,
      `the denoiser of "${manifest.name}"`,
    );
  } catch (err) {
    await textEncoder.release();
    throw err;
  }
  try {
    assertIoMatches(sources.label, manifest, { textEncoder, denoiser });
  } catch (err) {
    await Promise.all([textEncoder.release(), denoiser.release()]);
    throw err;
  }
  return {
    folder: sources.label,
    manifest,
    vocab,
    executor: new OrtExecutor(ort, manifest, textEncoder, denoiser),
  };
}
