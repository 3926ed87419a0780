/**
 * Opens the official tools' `segment_info.json` in the editor. The core converts it into a
 * request; here each referenced image file becomes an asset (the UI reads the files the
 * user picked alongside it and passes them by their name as written in the JSON).
 */
import { importSegmentInfo } from '@contextgen/core';
import { boxFromArray } from './geometry.ts';
import { createEditorState, newEditorId } from './state.ts';
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

export interface SegmentInfoImport {
  readonly state: EditorState;
  /** Image names the JSON mentions that were not provided (those instances are phrase-only). */
  readonly missing: readonly string[];
}

export function importSegmentInfoToEditor(
  json: unknown,
  images: ReadonlyMap<string, ProvidedImage>,
): SegmentInfoImport {
  const req = importSegmentInfo(json);
  const base = createEditorState({ prompt: req.prompt, width: req.width, height: req.height });
  const assets: Asset[] = [];
  const byName = new Map<string, string>();
  const missing: string[] = [];
  const instances: Instance[] = req.instances.map((inst, k) => {
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
      box: boxFromArray(inst.box),
      phrase: inst.phrase ?? '',
      aspectLocked: true,
      z: k + 1,
      resize: 'instance-fit',
    };
  });
  return { state: { ...base, assets, instances }, missing };
}
