/**
 * The official tools' `segment_info.json`: a JSON LIST of examples (the official repository's
 * `images/input/segment_info.json`), or one example object. Each example's `width` x `height`
 * (height defaults to width) is the frame its boxes are written in; the output canvas is
 * chosen separately (by the user, or `defaultCanvasFor` from the model) and the boxes are
 * scaled to it, as the official inference does (`bbox * image_size / width`).
 */
import { z } from 'zod';
import type { ModelManifest } from './manifest.ts';
import {
  BoxSchema,
  RequestError,
  type GenerationRequest,
  type InstanceRequest,
} from './request.ts';
import { issuePath } from './zod-errors.ts';

/** One example of a `segment_info.json`. */
export const SegmentInfoSchema = z.object({
  caption: z.string(),
  width: z.int().positive(),
  height: z.int().positive().optional(),
  layout_image: z.string().optional(),
  instances: z.array(
    z.object({
      image: z.string().optional(),
      bbox: BoxSchema,
      label: z.string().optional(),
      phrase: z.string().optional(),
      mask: z.string().optional(),
    }),
  ),
});

export interface CanvasSize {
  readonly width: number;
  readonly height: number;
}

export interface SegmentInfoOptions {
  /** Which example of a list (0-based); needed when the file holds more than one. */
  readonly entry?: number;
  /** The output canvas; the boxes are scaled from the example's frame. Default: the frame. */
  readonly size?: CanvasSize;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** True for a parsed JSON in the official format: an example object, or a list of them. */
export function isSegmentInfo(json: unknown): boolean {
  const first = Array.isArray(json) ? json[0] : json;
  return isObject(first) && 'caption' in first && !('prompt' in first);
}

/** How many examples a segment_info holds (1 for a single object). */
export function segmentInfoEntryCount(json: unknown): number {
  return Array.isArray(json) ? json.length : 1;
}

function entryOf(json: unknown, entry: number | undefined): { value: unknown; field: string } {
  if (!Array.isArray(json)) {
    if (entry !== undefined && entry !== 0)
      throw new RequestError(
        'segment_info',
        `entry ${entry} does not exist: the file holds one example (entry 0), not a list`,
      );
    return { value: json, field: 'segment_info' };
  }
  const n = json.length;
  if (n === 0) throw new RequestError('segment_info', 'the list is empty; add an example');
  if (entry === undefined) {
    if (n > 1)
      throw new RequestError(
        'segment_info',
        `the file holds ${n} examples (entries 0..${n - 1}); choose one of them`,
      );
    return { value: json[0], field: 'segment_info[0]' };
  }
  if (!Number.isInteger(entry) || entry < 0 || entry >= n)
    throw new RequestError(
      'segment_info',
      `entry ${entry} does not exist: the file holds ${n} example${n === 1 ? '' : 's'} (entries 0..${n - 1})`,
    );
  return { value: json[entry], field: `segment_info[${entry}]` };
}

/** The frame (width x height) the chosen example's boxes are written in. */
export function segmentInfoFrame(json: unknown, entry?: number): CanvasSize {
  const req = importSegmentInfo(json, entry !== undefined ? { entry } : {});
  return { width: req.width, height: req.height };
}

/**
 * A request's canvas changed to `size`: boxes scaled from its width x height (x by the width
 * ratio, y by the height ratio), rounded to whole pixels.
 */
export function scaleRequestCanvas(req: GenerationRequest, size: CanvasSize): GenerationRequest {
  if (size.width === req.width && size.height === req.height) return req;
  const sx = size.width / req.width;
  const sy = size.height / req.height;
  return {
    ...req,
    width: size.width,
    height: size.height,
    instances: req.instances.map((inst) => {
      const [x1, y1, x2, y2] = inst.box;
      return {
        ...inst,
        box: [Math.round(x1 * sx), Math.round(y1 * sy), Math.round(x2 * sx), Math.round(y2 * sy)],
      };
    }),
  };
}

/**
 * Convert the official `segment_info.json` (a list, or one example) into a request. Paths are
 * kept as written (the caller resolves them relative to the file); an instance without a
 * phrase uses its label as phrase.
 * @throws RequestError naming the segment_info field, the entry and how many exist
 */
export function importSegmentInfo(
  json: unknown,
  options: SegmentInfoOptions = {},
): GenerationRequest {
  const { value, field } = entryOf(json, options.entry);
  const parsed = SegmentInfoSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RequestError(`${field}.${issuePath(issue.path)}`, issue.message);
  }
  const info = parsed.data;
  const request: GenerationRequest = {
    width: info.width,
    height: info.height ?? info.width,
    prompt: info.caption,
    instances: info.instances.map((inst) => {
      const out: InstanceRequest = { box: inst.bbox };
      if (inst.image !== undefined) out.reference = inst.image;
      if (inst.mask !== undefined) out.mask = inst.mask;
      const phrase = inst.phrase ?? inst.label;
      if (phrase !== undefined) out.phrase = phrase;
      if (inst.label !== undefined) out.label = inst.label;
      return out;
    }),
  };
  if (info.layout_image !== undefined) request.layoutImage = info.layout_image;
  return options.size ? scaleRequestCanvas(request, options.size) : request;
}

/**
 * The canvas a model would choose for a frame: the frame itself when the model can take it,
 * else the frame's aspect with sides multiples of the token size within the model's side
 * range, as large as fits half of its token budget for the image and layout tokens together
 * (the other half is left for references and text).
 */
export function defaultCanvasFor(
  frame: CanvasSize,
  manifest: {
    readonly tokenSize: number;
    readonly limits: Pick<ModelManifest['limits'], 'minSide' | 'maxSide' | 'maxTokens'>;
  },
): CanvasSize {
  const P = manifest.tokenSize;
  const { minSide, maxSide, maxTokens } = manifest.limits;
  const clampSide = (v: number) =>
    Math.min(maxSide, Math.max(minSide, Math.max(P, Math.round(v / P) * P)));
  const wide = frame.width >= frame.height;
  const ratio = wide ? frame.height / frame.width : frame.width / frame.height;
  const cap = clampSide(Math.max(frame.width, frame.height));
  for (let long = cap; long >= minSide; long -= P) {
    const short = clampSide(long * ratio);
    if (2 * (long / P) * (short / P) <= maxTokens / 2)
      return wide ? { width: long, height: short } : { width: short, height: long };
  }
  const short = clampSide(minSide * ratio);
  return wide ? { width: minSide, height: short } : { width: short, height: minSide };
}
