/**
 * Read a request file: a ContextGen request JSON or the official tools' `segment_info.json`
 * (recognised by its `caption` field), imported into request form.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { importSegmentInfo } from '@contextgen/core';
import { InputFileError, inRequestFile } from './errors.ts';

export interface RequestFile {
  readonly path: string;
  /** Folder that relative image paths are resolved against. */
  readonly dir: string;
  readonly kind: 'request' | 'segment_info';
  /** The request as JSON (not yet validated against a model). */
  readonly json: Record<string, unknown>;
}

/** True when a parsed JSON object is in the official segment_info format. */
export function isSegmentInfo(json: Record<string, unknown>): boolean {
  return 'caption' in json && !('prompt' in json);
}

export async function readRequestFile(path: string): Promise<RequestFile> {
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
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputFileError(
      `${path}: expected a JSON object with width, height, prompt and instances`,
    );
  }
  const obj = parsed as Record<string, unknown>;
  const kind = isSegmentInfo(obj) ? 'segment_info' : 'request';
  const json =
    kind === 'segment_info'
      ? await inRequestFile(path, () => importSegmentInfo(obj) as Record<string, unknown>)
      : obj;
  return { path: abs, dir: dirname(abs), kind, json };
}
