/**
 * Opens the official tools' `segment_info.json` in the editor. The official file is a JSON
 * list of examples (a single example object is read as a list of one); the user picks one.
 * Each example's `width`/`height` is the frame its boxes are drawn in, so the boxes are
 * scaled to the canvas the user (or the model's default) chose. Each referenced image file
 * becomes an asset: the UI reads the files picked alongside the JSON and passes them by
 * their name as written in it.
 */
import { importSegmentInfo, isSubject, scaleRequestCanvas } from '@contextgen/core';
import { boxFromArray, fitBox, type CanvasSize } from './geometry.ts';
import { newEditorId } from './state.ts';
import type { Asset, EditorState, Instance } from './types.ts';

export interface ProvidedImage {
  readonly src: string;
  readonly width: number;
  readonly height: number;
}

/** The last path component, so "refs/cat.png" matches a picked file named "cat.png". */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The examples of a segment_info file: its entries when it is a list, else itself. */
export function segmentInfoEntries(json: unknown): unknown[] {
  if (Array.isArray(json)) {
    if (json.length === 0)
      throw new Error('segment_info: the list is empty; it needs at least one example');
    return json;
  }
  return [json];
}

/** One line per example for the chooser: "3: a cat and a dog… (2 boxes, 512×512)". */
export function describeSegmentInfoEntry(entry: unknown, index: number): string {
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as {
    caption?: unknown;
    width?: unknown;
    height?: unknown;
    instances?: unknown;
  };
  const caption = typeof e.caption === 'string' ? e.caption : '(no caption)';
  const short = caption.length > 70 ? caption.slice(0, 69) + '…' : caption;
  const n = Array.isArray(e.instances) ? e.instances.length : 0;
  const frame =
    typeof e.width === 'number'
      ? `, ${e.width}×${typeof e.height === 'number' ? e.height : e.width}`
      : '';
  return `${index + 1}: ${short} (${n} box${n === 1 ? '' : 'es'}${frame})`;
}

export interface SegmentInfoImport {
  /** References, boxes and settings for `replaceDocument`. */
  readonly document: Pick<EditorState, 'assets' | 'instances' | 'settings'>;
  /** Image names the JSON mentions that were not provided (those instances are phrase-only). */
  readonly missing: readonly string[];
  /** The frame the example's boxes were drawn in. */
  readonly frame: CanvasSize;
}

/**
 * Builds the document of example `entry` of a segment_info file on `settings`' canvas.
 * @throws Error naming the example and the field when the file is wrong
 */
export function importSegmentInfoToEditor(
  json: unknown,
  images: ReadonlyMap<string, ProvidedImage>,
  settings: EditorState['settings'],
  entry = 0,
): SegmentInfoImport {
  const entries = segmentInfoEntries(json);
  const chosen = entries[entry];
  if (chosen === undefined)
    throw new Error(
      `segment_info: there is no example ${entry + 1}; the file holds ${entries.length}`,
    );
  let req;
  try {
    req = importSegmentInfo(chosen);
  } catch (err) {
    const where = Array.isArray(json) ? `example ${entry + 1}: ` : '';
    throw new Error(where + (err as Error).message);
  }
  const frame = { width: req.width, height: req.height };
  const canvas = { width: settings.width, height: settings.height };
  // Core scales the boxes from the example's frame (the one scaling rule for segment_info).
  const scaled = scaleRequestCanvas(req, canvas);
  const assets: Asset[] = [];
  const byName = new Map<string, string>();
  const missing: string[] = [];
  const instances: Instance[] = scaled.instances.map((inst, k) => {
    let assetId: string | null = null;
    if (inst.reference) {
      const name = baseName(inst.reference);
      const img = images.get(name);
      if (!img) missing.push(name);
      else {
        assetId = byName.get(name) ?? null;
        if (!assetId) {
          assetId = newEditorId('asset');
          byName.set(name, assetId);
          assets.push({ id: assetId, name, width: img.width, height: img.height, src: img.src });
        }
      }
    }
    return {
      id: newEditorId('inst'),
      assetId,
      box: fitBox(boxFromArray(inst.box), canvas),
      phrase: inst.phrase ?? '',
      aspectLocked: true,
      z: k + 1,
      resize: 'instance-fit',
    };
  });
  return {
    document: { assets, instances, settings: { ...settings, prompt: req.prompt } },
    missing,
    frame,
  };
}

/**
 * The official rule for reference images with alpha (core's `isSubject`: alpha below 0.5 is
 * background). Sets every pixel's alpha (RGBA bytes, in place) to 0 or 255; returns how many
 * pixels stay.
 */
export function binarizeAlpha(rgba: Uint8Array | Uint8ClampedArray): number {
  let kept = 0;
  for (let i = 3; i < rgba.length; i += 4) {
    const keep = isSubject(rgba[i]!);
    rgba[i] = keep ? 255 : 0;
    if (keep) kept++;
  }
  return kept;
}
