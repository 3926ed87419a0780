/**
 * The editor's actions: each has a name, a label for menus, an optional shortcut and a pure
 * `perform` that returns the new state and whether the change enters undo history.
 * Consecutive results with the same `coalesce` key merge into one undo step (a drag, typing).
 */
import {
  cascadeBox,
  defaultBoxFor,
  fitBox,
  moveBox,
  scaleBox,
  setBoxEdge,
  type BoxEdge,
} from './geometry.ts';
import { newEditorId, topZ } from './state.ts';
import type {
  Asset,
  CanvasBox,
  EditorState,
  HistoryEntry,
  Instance,
  Settings,
  ViewOptions,
} from './types.ts';

export interface ActionResult {
  readonly state: EditorState;
  readonly undoable: boolean;
  readonly coalesce?: string;
}

/** The argument each action takes (`void` for none). */
export interface ActionArgs {
  addAsset: Asset;
  setAssetCutout: {
    id: string;
    cutoutSrc?: string;
    maskSrc?: string;
    maskSource: Asset['maskSource'];
    warnings?: readonly string[];
  };
  /**
   * The server now holds this image. `serverCutout` is the cutout the server made of it; the
   * asset takes it only when it has no cutout of its own (imported images), so the library
   * shows the mask the model will get.
   */
  setAssetUpload: {
    id: string;
    uploadId: string;
    serverCutout?: {
      cutoutSrc: string;
      maskSrc: string;
      maskSource: Asset['maskSource'];
      warnings?: readonly string[];
    };
  };
  removeAsset: { id: string };
  addInstance: { assetId: string | null; box?: CanvasBox; phrase?: string; id?: string };
  setBox: { id: string; box: CanvasBox };
  /** One typed coordinate; the opposite edge stays and the box stays valid. */
  setBoxEdge: { id: string; edge: BoxEdge; value: number };
  setPhrase: { id: string; phrase: string };
  toggleAspectLock: { id: string };
  select: { ids: readonly string[] };
  selectAll: void;
  clearSelection: void;
  removeSelected: void;
  duplicateSelected: void;
  nudgeLeft: void;
  nudgeRight: void;
  nudgeUp: void;
  nudgeDown: void;
  bringForward: void;
  sendBackward: void;
  bringToFront: void;
  sendToBack: void;
  setSettings: Partial<Settings>;
  /** A new canvas size (already valid for the model): boxes are mapped once, one undo step. */
  resizeCanvas: { width: number; height: number };
  /** Replaces references, boxes and settings at once (an import), undoably. */
  replaceDocument: Pick<EditorState, 'assets' | 'instances' | 'settings'>;
  /** Results another tab or the server's job list produced; entries already kept are skipped. */
  mergeResults: { entries: readonly HistoryEntry[]; removed?: readonly string[] };
  setView: Partial<ViewOptions>;
  toggleLayout: void;
  toggleBoxes: void;
  addResult: HistoryEntry;
  removeResult: { id: string };
  restoreResult: { id: string };
}

export type ActionName = keyof ActionArgs;

export interface Action<K extends ActionName = ActionName> {
  readonly name: K;
  readonly label: string;
  /** E.g. "Mod+D", "Delete", "]" (see shortcuts.ts). */
  readonly shortcut?: string;
  readonly perform: (state: EditorState, args: ActionArgs[K]) => ActionResult;
}

const doc = (state: EditorState, coalesce?: string): ActionResult => ({
  state,
  undoable: true,
  coalesce,
});
const ui = (state: EditorState): ActionResult => ({ state, undoable: false });

function canvasOf(s: EditorState) {
  return { width: s.settings.width, height: s.settings.height };
}

function updateInstances(
  s: EditorState,
  ids: readonly string[],
  f: (i: Instance) => Instance,
): EditorState {
  const set = new Set(ids);
  return { ...s, instances: s.instances.map((i) => (set.has(i.id) ? f(i) : i)) };
}

function nudge(dx: number, dy: number) {
  return (s: EditorState): ActionResult => {
    if (s.selection.length === 0) return ui(s);
    const step = s.view.snapToGrid && s.view.grid > 0 ? s.view.grid : 1;
    const next = updateInstances(s, s.selection, (i) => ({
      ...i,
      box: moveBox(i.box, dx * step, dy * step, canvasOf(s)),
    }));
    return doc(next, 'nudge:' + s.selection.join(','));
  };
}

/** Reassigns z as 1..n in the given bottom-to-top order. */
function withOrder(s: EditorState, order: readonly Instance[]): EditorState {
  const z = new Map(order.map((i, k) => [i.id, k + 1]));
  return { ...s, instances: s.instances.map((i) => ({ ...i, z: z.get(i.id) ?? i.z })) };
}

function reorder(kind: 'forward' | 'backward' | 'front' | 'back') {
  return (s: EditorState): ActionResult => {
    if (s.selection.length === 0) return ui(s);
    const sel = new Set(s.selection);
    const order = [...s.instances].sort((a, b) => a.z - b.z);
    let next: Instance[];
    if (kind === 'front')
      next = [...order.filter((i) => !sel.has(i.id)), ...order.filter((i) => sel.has(i.id))];
    else if (kind === 'back')
      next = [...order.filter((i) => sel.has(i.id)), ...order.filter((i) => !sel.has(i.id))];
    else {
      next = [...order];
      const up = kind === 'forward';
      const idx = next.map((_, k) => k);
      for (const k of up ? idx.reverse() : idx) {
        const j = up ? k + 1 : k - 1;
        const a = next[k];
        const b = next[j];
        if (a && b && sel.has(a.id) && !sel.has(b.id)) {
          next[k] = b;
          next[j] = a;
        }
      }
    }
    return doc(withOrder(s, next));
  };
}

/** How far a new or duplicated box moves off one already there: two grid cells. */
function cascadeStep(s: EditorState): number {
  return Math.max(8, 2 * (s.view.grid > 0 ? s.view.grid : 8));
}

/** The state with a new canvas size, every box scaled once from the old size and kept valid. */
function resized_(s: EditorState, width: number, height: number): EditorState {
  const to = { width, height };
  return {
    ...s,
    settings: { ...s.settings, width, height },
    instances: s.instances.map((i) => ({
      ...i,
      box: fitBox(scaleBox(i.box, canvasOf(s), to), to),
    })),
  };
}

/**
 * Results history merged with entries from elsewhere (another tab, the server's job list):
 * one entry per job, newest first; ids in `removed` stay out. Returns `mine` itself when
 * nothing changes.
 */
export function mergeHistory(
  mine: readonly HistoryEntry[],
  theirs: readonly HistoryEntry[],
  removed: readonly string[] = [],
): readonly HistoryEntry[] {
  const gone = new Set(removed);
  const jobs = new Set(mine.map((r) => r.jobId));
  const ids = new Set(mine.map((r) => r.id));
  const added = theirs.filter(
    (r) => !gone.has(r.id) && !gone.has(r.jobId) && !jobs.has(r.jobId) && !ids.has(r.id),
  );
  const kept = mine.filter((r) => !gone.has(r.id) && !gone.has(r.jobId));
  if (added.length === 0 && kept.length === mine.length) return mine;
  return [...kept, ...added].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function action<K extends ActionName>(a: Action<K>): Action<K> {
  return a;
}

export const ACTIONS = {
  addAsset: action({
    name: 'addAsset',
    label: 'Add reference image',
    perform: (s, asset) => doc({ ...s, assets: [...s.assets, asset] }),
  }),
  setAssetCutout: action({
    name: 'setAssetCutout',
    label: 'Redo cutout',
    perform: (s, a) => {
      const assets = s.assets.map((x) =>
        x.id === a.id
          ? {
              ...x,
              cutoutSrc: a.cutoutSrc,
              maskSrc: a.maskSrc,
              maskSource: a.maskSource,
              warnings: a.warnings ?? [],
            }
          : x,
      );
      return doc({ ...s, assets });
    },
  }),
  setAssetUpload: action({
    name: 'setAssetUpload',
    label: 'Remember upload',
    perform: (s, a) =>
      ui({
        ...s,
        assets: s.assets.map((x) =>
          x.id !== a.id
            ? x
            : !x.cutoutSrc && a.serverCutout
              ? { ...x, uploadId: a.uploadId, ...a.serverCutout }
              : { ...x, uploadId: a.uploadId },
        ),
      }),
  }),
  removeAsset: action({
    name: 'removeAsset',
    label: 'Remove reference image',
    perform: (s, { id }) => {
      const gone = new Set(s.instances.filter((i) => i.assetId === id).map((i) => i.id));
      return doc({
        ...s,
        assets: s.assets.filter((a) => a.id !== id),
        instances: s.instances.filter((i) => !gone.has(i.id)),
        selection: s.selection.filter((x) => !gone.has(x)),
      });
    },
  }),
  addInstance: action({
    name: 'addInstance',
    label: 'Place on canvas',
    perform: (s, a) => {
      const asset = a.assetId ? s.assets.find((x) => x.id === a.assetId) : undefined;
      if (a.assetId && !asset) return ui(s);
      const canvas = canvasOf(s);
      const box = a.box
        ? fitBox(a.box, canvas)
        : cascadeBox(
            defaultBoxFor(asset?.width ?? 1, asset?.height ?? 1, canvas),
            s.instances.map((i) => i.box),
            canvas,
            cascadeStep(s),
          );
      const inst: Instance = {
        id: a.id ?? newEditorId('inst'),
        assetId: a.assetId,
        box,
        phrase:
          a.phrase ?? (asset ? asset.name.replace(/\.[a-z0-9]+$/i, '').replace(/[_-]+/g, ' ') : ''),
        aspectLocked: true,
        z: topZ(s.instances) + 1,
        resize: 'instance-fit',
      };
      return doc({ ...s, instances: [...s.instances, inst], selection: [inst.id] });
    },
  }),
  setBox: action({
    name: 'setBox',
    label: 'Move or resize box',
    perform: (s, { id, box }) =>
      doc(
        updateInstances(s, [id], (i) => ({ ...i, box: fitBox(box, canvasOf(s)) })),
        'box:' + id,
      ),
  }),
  setBoxEdge: action({
    name: 'setBoxEdge',
    label: 'Type box coordinate',
    perform: (s, { id, edge, value }) =>
      doc(
        updateInstances(s, [id], (i) => ({
          ...i,
          box: setBoxEdge(i.box, edge, value, canvasOf(s)),
        })),
      ),
  }),
  setPhrase: action({
    name: 'setPhrase',
    label: 'Edit phrase',
    perform: (s, { id, phrase }) =>
      doc(
        updateInstances(s, [id], (i) => ({ ...i, phrase })),
        'phrase:' + id,
      ),
  }),
  toggleAspectLock: action({
    name: 'toggleAspectLock',
    label: 'Lock aspect ratio',
    perform: (s, { id }) =>
      doc(updateInstances(s, [id], (i) => ({ ...i, aspectLocked: !i.aspectLocked }))),
  }),
  select: action({
    name: 'select',
    label: 'Select',
    perform: (s, { ids }) =>
      ui({ ...s, selection: ids.filter((id) => s.instances.some((i) => i.id === id)) }),
  }),
  selectAll: action({
    name: 'selectAll',
    label: 'Select all boxes',
    shortcut: 'Mod+A',
    perform: (s) => ui({ ...s, selection: s.instances.map((i) => i.id) }),
  }),
  clearSelection: action({
    name: 'clearSelection',
    label: 'Clear selection',
    shortcut: 'Escape',
    perform: (s) => ui({ ...s, selection: [] }),
  }),
  removeSelected: action({
    name: 'removeSelected',
    label: 'Delete selected boxes',
    shortcut: 'Delete',
    perform: (s) => {
      if (s.selection.length === 0) return ui(s);
      const sel = new Set(s.selection);
      return doc({ ...s, instances: s.instances.filter((i) => !sel.has(i.id)), selection: [] });
    },
  }),
  duplicateSelected: action({
    name: 'duplicateSelected',
    label: 'Duplicate selected boxes',
    shortcut: 'Mod+D',
    perform: (s) => {
      if (s.selection.length === 0) return ui(s);
      let z = topZ(s.instances);
      const placed = s.instances.map((i) => i.box);
      const copies = s.instances
        .filter((i) => s.selection.includes(i.id))
        .map((i) => {
          const box = cascadeBox(i.box, placed, canvasOf(s), cascadeStep(s));
          placed.push(box);
          return { ...i, id: newEditorId('inst'), z: ++z, box };
        });
      return doc({
        ...s,
        instances: [...s.instances, ...copies],
        selection: copies.map((c) => c.id),
      });
    },
  }),
  nudgeLeft: action({
    name: 'nudgeLeft',
    label: 'Nudge left',
    shortcut: 'ArrowLeft',
    perform: nudge(-1, 0),
  }),
  nudgeRight: action({
    name: 'nudgeRight',
    label: 'Nudge right',
    shortcut: 'ArrowRight',
    perform: nudge(1, 0),
  }),
  nudgeUp: action({
    name: 'nudgeUp',
    label: 'Nudge up',
    shortcut: 'ArrowUp',
    perform: nudge(0, -1),
  }),
  nudgeDown: action({
    name: 'nudgeDown',
    label: 'Nudge down',
    shortcut: 'ArrowDown',
    perform: nudge(0, 1),
  }),
  bringForward: action({
    name: 'bringForward',
    label: 'Bring forward',
    shortcut: ']',
    perform: reorder('forward'),
  }),
  sendBackward: action({
    name: 'sendBackward',
    label: 'Send backward',
    shortcut: '[',
    perform: reorder('backward'),
  }),
  bringToFront: action({
    name: 'bringToFront',
    label: 'Bring to front',
    shortcut: 'Shift+]',
    perform: reorder('front'),
  }),
  sendToBack: action({
    name: 'sendToBack',
    label: 'Send to back',
    shortcut: 'Shift+[',
    perform: reorder('back'),
  }),
  setSettings: action({
    name: 'setSettings',
    label: 'Change settings',
    perform: (s, patch) => {
      const { width = s.settings.width, height = s.settings.height, ...rest } = patch;
      const resized = width !== s.settings.width || height !== s.settings.height;
      const next = resized ? resized_(s, width, height) : s;
      if (Object.keys(rest).length === 0) return resized ? doc(next) : ui(s);
      // typing in one field is one undo step; a size change is always its own step
      const settings = { ...next.settings, ...rest };
      return doc(
        { ...next, settings },
        resized ? undefined : 'settings:' + Object.keys(rest).sort().join(','),
      );
    },
  }),
  resizeCanvas: action({
    name: 'resizeCanvas',
    label: 'Resize canvas',
    perform: (s, { width, height }) =>
      width === s.settings.width && height === s.settings.height
        ? ui(s)
        : doc(resized_(s, width, height)),
  }),
  replaceDocument: action({
    name: 'replaceDocument',
    label: 'Import',
    perform: (s, d) =>
      doc({
        ...s,
        assets: d.assets,
        settings: d.settings,
        instances: d.instances.map((i) => ({ ...i, box: fitBox(i.box, d.settings) })),
        selection: [],
      }),
  }),
  mergeResults: action({
    name: 'mergeResults',
    label: 'Keep results',
    perform: (s, { entries, removed = [] }) => {
      const results = mergeHistory(s.results, entries, removed);
      return results === s.results ? ui(s) : ui({ ...s, results });
    },
  }),
  setView: action({
    name: 'setView',
    label: 'Change view',
    perform: (s, patch) => ui({ ...s, view: { ...s.view, ...patch } }),
  }),
  toggleLayout: action({
    name: 'toggleLayout',
    label: 'Show layout image',
    shortcut: 'L',
    perform: (s) => ui({ ...s, view: { ...s.view, showLayout: !s.view.showLayout } }),
  }),
  toggleBoxes: action({
    name: 'toggleBoxes',
    label: 'Show box overlay',
    shortcut: 'B',
    perform: (s) => ui({ ...s, view: { ...s.view, showBoxes: !s.view.showBoxes } }),
  }),
  addResult: action({
    name: 'addResult',
    label: 'Keep result',
    perform: (s, entry) =>
      ui({ ...s, results: [entry, ...s.results.filter((r) => r.id !== entry.id)] }),
  }),
  removeResult: action({
    name: 'removeResult',
    label: 'Remove from history',
    perform: (s, { id }) => ui({ ...s, results: s.results.filter((r) => r.id !== id) }),
  }),
  restoreResult: action({
    name: 'restoreResult',
    label: 'Restore these settings',
    perform: (s, { id }) => {
      const entry = s.results.find((r) => r.id === id);
      if (!entry) return ui(s);
      const known = new Set(s.assets.map((a) => a.id));
      const instances = entry.instances.map((i) => ({
        ...i,
        assetId: i.assetId && !known.has(i.assetId) ? null : i.assetId,
        box: fitBox(i.box, entry.settings),
      }));
      return doc({
        ...s,
        settings: { ...entry.settings, seed: entry.seed },
        instances,
        selection: [],
      });
    },
  }),
} satisfies { [K in ActionName]: Action<K> };

export function listActions(): Action[] {
  return Object.values(ACTIONS) as Action[];
}
