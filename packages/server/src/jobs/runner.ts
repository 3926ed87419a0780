/**
 * The worker side of a job: decode the images it carries, run the model's `Generator`,
 * report progress with small previews, encode the result.
 */
import { encode as encodePngSync } from 'fast-png';
import { resizeImage, type ReferenceCutout, type RgbaImage } from '@contextgen/core';
import { decodeImageBuffer, encodePng } from '@contextgen/imaging';
import { untrainedWarning, type RunnableModel } from '../models.ts';
import { cutoutFromPng } from '../uploads.ts';
import type { JobRunner, JobSpec } from './types.ts';

/** Longest side of a progress preview, px. */
export const PREVIEW_SIDE = 96;

export function previewDataUrl(image: RgbaImage, side = PREVIEW_SIDE): string {
  const s = Math.min(1, side / Math.max(image.width, image.height));
  const small =
    s < 1
      ? resizeImage(
          image,
          Math.max(1, Math.round(image.width * s)),
          Math.max(1, Math.round(image.height * s)),
          'area',
        )
      : image;
  const png = encodePngSync({
    width: small.width,
    height: small.height,
    data: new Uint8Array(small.data.buffer, small.data.byteOffset, small.data.byteLength),
    channels: 4,
    depth: 8,
  });
  return 'data:image/png;base64,' + Buffer.from(png).toString('base64');
}

async function decodeImages(
  spec: JobSpec,
  readInput: (uploadId: string, file: 'cutout.png' | 'original') => Promise<Uint8Array>,
): Promise<{ references: (ReferenceCutout | undefined)[]; layout?: RgbaImage }> {
  const references: (ReferenceCutout | undefined)[] = [];
  for (const inst of spec.request.instances)
    references.push(
      inst.reference === undefined
        ? undefined
        : await cutoutFromPng(await readInput(inst.reference, 'cutout.png'), inst.reference),
    );
  if (spec.request.layoutImage === undefined) return { references };
  const { image } = await decodeImageBuffer(
    await readInput(spec.request.layoutImage, 'original'),
    'layoutImage',
  );
  return { references, layout: image };
}

export function createRunner(models: ReadonlyMap<string, RunnableModel>): JobRunner {
  return async (spec, { signal, onProgress, readInput }) => {
    const model = models.get(spec.model);
    if (!model)
      throw new Error(
        `this worker does not serve model "${spec.model}" (it has ${[...models.keys()].join(', ')})`,
      );
    const images = await decodeImages(spec, readInput);
    const result = await model.generator.generate(spec.request, images, {
      signal,
      previews: true,
      onProgress: (p) => {
        const preview = p.preview ? previewDataUrl(p.preview) : undefined;
        onProgress({ step: p.step, total: p.total, ...(preview ? { preview } : {}) });
      },
    });
    const warnings = model.untrained
      ? [untrainedWarning(model.name), ...result.warnings]
      : result.warnings;
    return {
      seed: result.seed,
      width: result.image.width,
      height: result.image.height,
      untrained: model.untrained,
      warnings,
      timings: {
        modelMs: Math.round(result.timings.modelMs),
        totalMs: Math.round(result.timings.totalMs),
      },
      resultPng: await encodePng(result.image),
      layoutPng: await encodePng(result.layout),
    };
  };
}
