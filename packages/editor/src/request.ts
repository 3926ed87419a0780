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

/** The instances in the order `toGenerationRequest` sends them (bottom to top). */
export function requestOrder(state: EditorState): EditorState['instances'] {
  return [...state.instances].sort((a, b) => a.z - b.z);
}

/** What the user calls a box: its phrase, else its reference's name, else "text box". */
export function boxName(state: EditorState, id: string): string {
  const inst = state.instances.find((i) => i.id === id);
  if (!inst) return 'a removed box';
  const asset = inst.assetId ? state.assets.find((a) => a.id === inst.assetId) : undefined;
  const name = inst.phrase.trim() || asset?.name || 'text box';
  return `“${name}”`;
}

/**
 * A request field the server or the core blamed (`instances[1].box`), said the way the
 * editor shows it: `the box “a grey cat” (instances[1].box)`, plus the id of that box so the
 * UI can select it. Fields that are not an instance come back as they are.
 */
export function describeRequestField(
  state: EditorState,
  field: string,
): { text: string; instanceId?: string } {
  const m = /^instances\[(\d+)\]/.exec(field);
  const inst = m ? requestOrder(state)[Number(m[1])] : undefined;
  if (!inst) return { text: field };
  return { text: `the box ${boxName(state, inst.id)} (${field})`, instanceId: inst.id };
}

/** An error message with every `instances[N]` it mentions named as the box the user sees. */
export function nameBoxesIn(state: EditorState, message: string): string {
  const order = requestOrder(state);
  return message.replace(/instances\[(\d+)\]((?:\.[a-z]+)?)/gi, (all, k: string) => {
    const inst = order[Number(k)];
    return inst ? `the box ${boxName(state, inst.id)} (${all})` : all;
  });
}
