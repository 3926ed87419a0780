/**
 * Optional ONNX matting model for references without alpha (`--matting-model PATH`).
 *
 * Expected I/O (see packages/imaging/README.md):
 * - exactly one input, float32 `[1, 3, H, W]`, RGB in [0, 1];
 * - the first output, float32 `[1, 1, H, W]` (or `[1, H, W]`), alpha in [0, 1].
 * When H and W are fixed in the model the image is resized to them; with symbolic dims the
 * image is resized to `defaultSize` (aspect not kept; the alpha is resized back).
 */
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { Mask, RgbaImage } from '@contextgen/core';
import { ImageInputError } from './errors.ts';

export interface MattingModel {
  readonly path: string;
  /** Alpha of the subject, same size as the image. */
  matte(image: RgbaImage): Promise<Mask>;
  dispose(): Promise<void>;
}

export interface MattingOptions {
  /** Input side used when the model's H/W are symbolic. */
  readonly defaultSize?: number;
  readonly threads?: number;
  /**
   * Per-channel normalisation applied to RGB in [0, 1] before the model: `(v - mean) / std`.
   * Default none (models that want it fold it into the graph).
   */
  readonly normalise?: {
    readonly mean: readonly [number, number, number];
    readonly std: readonly [number, number, number];
  };
  /** `clamp` (default): alpha = output clamped to [0, 1]; `minmax`: rescaled so min..max is 0..1. */
  readonly output?: 'clamp' | 'minmax';
}

const FIX_IO =
  'a matting model must have one float32 input [1, 3, H, W] (RGB in 0..1) and output alpha [1, 1, H, W] in 0..1';

/**
 * Load an ONNX matting model and check its I/O.
 * @throws ImageInputError naming the file when it is missing, not ONNX or has the wrong inputs
 */
export async function loadMattingModel(
  path: string,
  options: MattingOptions = {},
): Promise<MattingModel> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.threads ?? 0,
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ImageInputError(
      path,
      `cannot load the matting model (${detail}); give the path of an ONNX file (${FIX_IO})`,
    );
  }
  if (session.inputNames.length !== 1) {
    const names = session.inputNames.join(', ');
    await session.release();
    throw new ImageInputError(
      path,
      `the matting model has ${names.split(', ').length} inputs (${names}); ${FIX_IO}`,
    );
  }
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const meta = session.inputMetadata[0];
  const shape = meta && meta.isTensor ? meta.shape : [];
  const fixedH = typeof shape[2] === 'number' && shape[2] > 0 ? shape[2] : undefined;
  const fixedW = typeof shape[3] === 'number' && shape[3] > 0 ? shape[3] : undefined;
  const side = options.defaultSize ?? 320;
  const inH = fixedH ?? side;
  const inW = fixedW ?? side;

  return {
    path,
    async matte(image: RgbaImage): Promise<Mask> {
      const rgb = await sharp(image.data, {
        raw: { width: image.width, height: image.height, channels: 4 },
      })
        .removeAlpha()
        .resize(inW, inH, { fit: 'fill' })
        .raw()
        .toBuffer();
      const plane = inW * inH;
      const input = new Float32Array(3 * plane);
      const mean = options.normalise?.mean ?? [0, 0, 0];
      const std = options.normalise?.std ?? [1, 1, 1];
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < 3; c++)
          input[c * plane + i] = (rgb[i * 3 + c]! / 255 - mean[c]!) / std[c]!;
      }
      const feeds = { [inputName]: new ort.Tensor('float32', input, [1, 3, inH, inW]) };
      let out: ort.Tensor;
      try {
        out = (await session.run(feeds))[outputName] as ort.Tensor;
      } catch (err) {
        const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
        throw new ImageInputError(
          path,
          `the matting model failed on input ${inputName} [1, 3, ${inH}, ${inW}] float32 (${detail}); ${FIX_IO}`,
        );
      }
      const alphaShape = out.dims.slice(-2);
      if (
        out.type !== 'float32' ||
        out.data.length !== plane ||
        alphaShape[0] !== inH ||
        alphaShape[1] !== inW
      ) {
        throw new ImageInputError(
          path,
          `the matting model returned ${out.type} [${out.dims.join(', ')}], expected float32 [1, 1, ${inH}, ${inW}]; ${FIX_IO}`,
        );
      }
      const data = out.data as Float32Array;
      let lo = 0;
      let scale = 1;
      if (options.output === 'minmax') {
        let min = Infinity;
        let max = -Infinity;
        for (let i = 0; i < plane; i++) {
          min = Math.min(min, data[i]!);
          max = Math.max(max, data[i]!);
        }
        lo = min;
        scale = max > min ? 1 / (max - min) : 0;
      }
      const alpha8 = new Uint8Array(plane);
      for (let i = 0; i < plane; i++)
        alpha8[i] = Math.round(Math.min(1, Math.max(0, (data[i]! - lo) * scale)) * 255);
      const resized = await sharp(alpha8, { raw: { width: inW, height: inH, channels: 1 } })
        .resize(image.width, image.height, { fit: 'fill' })
        .extractChannel(0)
        .raw()
        .toBuffer();
      return { width: image.width, height: image.height, data: new Uint8Array(resized) };
    },
    async dispose() {
      await session.release();
    },
  };
}
