import type { EditorState, Instance, Settings, ViewOptions } from './types.ts';

export const DEFAULT_SETTINGS: Settings = {
  prompt: '',
  width: 256,
  height: 256,
  steps: 12,
  guidance: 1,
  seed: null,
};

export const DEFAULT_VIEW: ViewOptions = {
  grid: 8,
  snapToGrid: true,
  snapToEdges: true,
  showLayout: false,
  showBoxes: true,
};

export function createEditorState(settings: Partial<Settings> = {}): EditorState {
  return {
    assets: [],
    instances: [],
    settings: { ...DEFAULT_SETTINGS, ...settings },
    selection: [],
    view: DEFAULT_VIEW,
    results: [],
  };
}

/** A short random id; editor ids only need to be unique inside one document. */
export function newEditorId(prefix: string): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return prefix + '_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function topZ(instances: readonly Instance[]): number {
  return instances.reduce((m, i) => Math.max(m, i.z), 0);
}

/** Instances sorted bottom to top (paint order). */
export function paintOrder(instances: readonly Instance[]): Instance[] {
  return [...instances].sort((a, b) => a.z - b.z);
}
