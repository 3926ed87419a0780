/**
 * Read a request file: a ContextGen request JSON or the official tools' `segment_info.json`
 * (one example, or the official LIST of examples: `--entry N` picks one), imported into
 * request form. `--width`/`--height` choose the output canvas; the file's boxes are scaled from
 * its own width x height (for segment_info, the frame its boxes are written in).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  defaultCanvasFor,
  importSegmentInfo,
  isSegmentInfo,
  parseIntegerArg,
  scaleRequestCanvas,
  segmentInfoEntryCount,
  type CanvasSize,
  type GenerationRequest,
} from '@contextgen/core';
import { InputFileError, inRequestFile, UsageError } from './errors.ts';

export interface RequestFile {
  readonly path: string;
  /** Folder that relative image paths are resolved against. */
  readonly dir: string;
  readonly kind: 'request' | 'segment_info';
  /** The request as JSON at the file's own canvas (not yet validated against a model). */
  readonly json: Record<string, unknown>;
}

/** The canvas options every request-reading command takes. */
export const CANVAS_OPTIONS = {
  entry: {
    type: 'string',
    value: 'N',
    help: 'which example of a segment_info.json list to use (0 = the first)',
  },
  width: {
    type: 'string',
    value: 'PX',
    help: "output width; the file's boxes are scaled to it (segment_info default: the model's size for the frame)",
  },
  height: {
    type: 'string',
    value: 'PX',
    help: 'output height (default: keeps the aspect of the file when only --width is given)',
  },
} as const;

export interface CanvasChoice {
  readonly entry?: string | undefined;
  readonly width?: string | undefined;
  readonly height?: string | undefined;
}

const MAX_SIDE = 16384;

export async function readRequestFile(path: string, entryOption?: string): Promise<RequestFile> {
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputFileError(
      code === 'ENOENT'
        ? `${path}: request file not found; give the path of a request .json or segment_info.json`
        : `${path}: cannot read the request file (${code ?? String(err)})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InputFileError(`${path}: not valid JSON (${(err as Error).message}); fix the syntax`);
  }
  if (isSegmentInfo(parsed)) {
    const count = segmentInfoEntryCount(parsed);
    let entry: number | undefined;
    if (entryOption !== undefined) {
      entry = Number(entryOption);
      if (!Number.isInteger(entry) || entry < 0 || entry >= count)
        throw new UsageError(
          `--entry ${entryOption}: ${path} holds ${count} example${count === 1 ? '' : 's'}; give --entry 0${count > 1 ? `..${count - 1}` : ''}`,
        );
    } else if (count > 1) {
      throw new UsageError(
        `${path} is a segment_info list of ${count} examples; choose one with --entry N (0..${count - 1})`,
      );
    }
    const json = await inRequestFile(
      path,
      () =>
        importSegmentInfo(parsed, entry !== undefined ? { entry } : {}) as Record<string, unknown>,
    );
    return { path: abs, dir: dirname(abs), kind: 'segment_info', json };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputFileError(
      `${path}: expected a JSON object with width, height, prompt and instances, or a segment_info.json`,
    );
  }
  if (entryOption !== undefined)
    throw new UsageError(`--entry is for segment_info.json lists; ${path} is a request file`);
  return { path: abs, dir: dirname(abs), kind: 'request', json: parsed as Record<string, unknown> };
}

/**
 * The request JSON at the output canvas: `--width`/`--height` when given (one alone keeps the
 * file's aspect), else for segment_info the size `manifest` chooses for the frame, else the
 * file's own. Boxes are scaled to it; a file whose size fields are invalid is left for
 * validation to report.
 */
export function requestAtCanvas(
  file: RequestFile,
  choice: CanvasChoice,
  manifest?: Parameters<typeof defaultCanvasFor>[1],
): Record<string, unknown> {
  const w =
    choice.width !== undefined ? parseIntegerArg('--width', choice.width, 1, MAX_SIDE) : undefined;
  const h =
    choice.height !== undefined
      ? parseIntegerArg('--height', choice.height, 1, MAX_SIDE)
      : undefined;
  const fw = file.json.width;
  const fh = file.json.height;
  if (typeof fw !== 'number' || typeof fh !== 'number' || !(fw > 0) || !(fh > 0)) {
    return {
      ...file.json,
      ...(w !== undefined ? { width: w } : {}),
      ...(h !== undefined ? { height: h } : {}),
    };
  }
  let size: CanvasSize;
  if (w !== undefined || h !== undefined) {
    size = {
      width: w ?? Math.max(1, Math.round((h! * fw) / fh)),
      height: h ?? Math.max(1, Math.round((w! * fh) / fw)),
    };
  } else if (file.kind === 'segment_info' && manifest !== undefined) {
    size = defaultCanvasFor({ width: fw, height: fh }, manifest);
  } else {
    return file.json;
  }
  const instances = file.json.instances;
  if (!Array.isArray(instances) || !instances.every(hasBox)) {
    return { ...file.json, width: size.width, height: size.height };
  }
  return scaleRequestCanvas(file.json as unknown as GenerationRequest, size) as unknown as Record<
    string,
    unknown
  >;
}

function hasBox(inst: unknown): boolean {
  const box = (inst as { box?: unknown } | null)?.box;
  return Array.isArray(box) && box.length === 4 && box.every((v) => typeof v === 'number');
}

/** A note when the canvas differs from the file's own size (its boxes were scaled), else undefined. */
export function canvasNote(file: RequestFile, sized: Record<string, unknown>): string | undefined {
  const from = `${String(file.json.width)}x${String(file.json.height)}`;
  const to = `${String(sized.width)}x${String(sized.height)}`;
  if (from === to) return undefined;
  const what = file.kind === 'segment_info' ? 'the segment_info frame' : 'the request';
  return `note: boxes scaled from ${what}'s ${from} to the ${to} canvas (choose it with --width/--height)`;
}
