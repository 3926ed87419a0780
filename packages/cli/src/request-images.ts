/**
 * Decode the images a request names (references, masks, a ready layout image) into the core's
 * `RequestImages`. Paths are relative to the request file; `data:` URLs are decoded; http(s)
 * URLs are refused (the CLI never downloads).
 */
import { resolve } from 'node:path';
import type { GenerationRequest, RequestImages, ReferenceCutout } from '@contextgen/core';
import {
  CUTOUT_OPTION_HELP,
  decodeImageBuffer,
  decodeImageFile,
  ImageInputError,
  loadCutoutMatting,
  makeReference,
  parseCutoutChoice,
  type DecodedImage,
  type ImageLimits,
  type MaskSource,
  type MattingModel,
} from '@contextgen/imaging';

export interface DecodeOptions {
  readonly matting?: MattingModel;
  readonly limits?: ImageLimits;
}

export interface DecodedRequestImages {
  readonly images: RequestImages;
  /** Per instance: where the mask came from (undefined: no reference). */
  readonly maskSources: readonly (MaskSource | undefined)[];
  /** Doubts about heuristic cutouts, each naming its instance (print them as warnings). */
  readonly cutoutWarnings: readonly string[];
}

const DATA_URL = /^data:image\/[a-z+.-]+;base64,/i;

/** Decode one image source named by `field`; errors name the field and the file. */
export async function decodeSource(
  source: string,
  baseDir: string,
  field: string,
  limits?: ImageLimits,
): Promise<DecodedImage & { label: string }> {
  if (DATA_URL.test(source)) {
    const label = `${field} (data: URL)`;
    const bytes = Buffer.from(source.slice(source.indexOf(',') + 1), 'base64');
    return { ...(await decodeImageBuffer(bytes, label, limits)), label };
  }
  if (/^https?:\/\//i.test(source)) {
    throw new ImageInputError(
      `${field} "${source}"`,
      'the CLI does not download images; save the image next to the request file and give its path',
    );
  }
  const path = resolve(baseDir, source);
  try {
    return { ...(await decodeImageFile(path, limits)), label: path };
  } catch (err) {
    if (err instanceof ImageInputError) throw new ImageInputError(`${field} ${path}`, err.reason);
    throw err;
  }
}

export async function decodeRequestImages(
  request: GenerationRequest,
  baseDir: string,
  options: DecodeOptions = {},
): Promise<DecodedRequestImages> {
  const references: (ReferenceCutout | undefined)[] = [];
  const maskSources: (MaskSource | undefined)[] = [];
  const cutoutWarnings: string[] = [];
  for (const [j, inst] of request.instances.entries()) {
    if (inst.reference === undefined) {
      references.push(undefined);
      maskSources.push(undefined);
      continue;
    }
    const field = `instances[${j}].reference`;
    const ref = await decodeSource(inst.reference, baseDir, field, options.limits);
    const mask =
      inst.mask === undefined
        ? undefined
        : await decodeSource(inst.mask, baseDir, `instances[${j}].mask`, options.limits);
    try {
      const made = await makeReference(
        {
          source: ref.label,
          image: ref.image,
          ...(mask ? { mask: { source: mask.label, image: mask.image } } : {}),
        },
        options.matting ? { matting: options.matting } : {},
      );
      references.push(made.cutout);
      maskSources.push(made.maskSource);
      for (const w of made.warnings) cutoutWarnings.push(`${field}: ${w}`);
    } catch (err) {
      if (err instanceof ImageInputError)
        throw new ImageInputError(`${field} ${err.source}`, err.reason);
      throw err;
    }
  }
  const layout =
    request.layoutImage === undefined
      ? undefined
      : (await decodeSource(request.layoutImage, baseDir, 'layoutImage', options.limits)).image;
  return { images: { references, ...(layout ? { layout } : {}) }, maskSources, cutoutWarnings };
}

// --- cutout options (matting): `--cutout METHOD` and `--matting-model PATH` -----------------
/**
 * The `--matting-model` and `--cutout` options (spread into a command's options for the one
 * argument parser); `decodeRequestImagesWithMatting` takes their values.
 */
export const CUTOUT_OPTIONS = {
  'matting-model': {
    type: 'string',
    value: 'PATH',
    help: 'ONNX matting model for references without alpha (overrides --cutout)',
  },
  cutout: {
    type: 'string',
    value: 'METHOD',
    help: CUTOUT_OPTION_HELP.replace(/^--cutout METHOD\s+/, ''),
  },
} as const;

/**
 * `decodeRequestImages` with the `--cutout` and `--matting-model` options: loads the ONNX matting
 * model from `mattingModelPath` (when given, it wins), else the backend `--cutout` resolves to
 * (default auto: an installed permissive backend, else the heuristic), for this call, and
 * disposes it afterwards.
 */
export async function decodeRequestImagesWithMatting(
  request: GenerationRequest,
  baseDir: string,
  mattingModelPath: string | undefined,
  cutout?: string,
): Promise<DecodedRequestImages> {
  const choice = cutout === undefined ? 'auto' : parseCutoutChoice(cutout);
  // A backend is loaded only for requests with references; an explicit model file always (so a
  // wrong path is reported even when nothing needs it).
  const needsCutout = request.instances.some((i) => i.reference !== undefined);
  const matting =
    needsCutout || mattingModelPath !== undefined
      ? await loadCutoutMatting(
          choice,
          mattingModelPath === undefined ? undefined : resolve(mattingModelPath),
        )
      : undefined;
  try {
    return await decodeRequestImages(request, baseDir, matting ? { matting } : {});
  } finally {
    await matting?.dispose();
  }
}
