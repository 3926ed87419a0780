/**
 * Turns the editor state into the core's `GenerationRequest`. References are named by the
 * server's upload ids, so every placed asset must be uploaded first (`missingUploads`).
 */
import type { GenerationRequest, InstanceRequest } from '@contextgen/core';
import { boxToArray } from './geometry.ts';
import type { Asset, EditorState } from './types.ts';

/** Assets placed on the canvas that the server does not have yet. */
export function missingUploads(state: EditorState): Asset[] {
  const used = new Set(
    state.instances.map((i) => i.assetId).filter((id): id is string => id !== null),
  );
  return state.assets.filter((a) => used.has(a.id) && !a.uploadId);
}

export function toGenerationRequest(state: EditorState, model?: string): GenerationRequest {
  const assets = new Map(state.assets.map((a) => [a.id, a]));
  const instances: InstanceRequest[] = [...state.instances]
    .sort((a, b) => a.z - b.z)
    .map((inst) => {
      const out: InstanceRequest = { box: boxToArray(inst.box), resize: inst.resize, z: inst.z };
      const asset = inst.assetId ? assets.get(inst.assetId) : undefined;
      if (inst.assetId && !asset?.uploadId) {
        throw new Error(
          `The reference "${asset?.name ?? inst.assetId}" is not uploaded yet; upload it before generating`,
        );
      }
      if (asset?.uploadId) {
        out.reference = asset.uploadId;
        out.label = asset.name;
      }
      if (inst.phrase.trim() !== '') out.phrase = inst.phrase.trim();
      return out;
    });
  const s = state.settings;
  const req: GenerationRequest = {
    width: s.width,
    height: s.height,
    prompt: s.prompt,
    instances,
    steps: s.steps,
    guidance: s.guidance,
  };
  if (s.seed !== null) req.seed = s.seed;
  if (model) req.model = model;
  return req;
}
