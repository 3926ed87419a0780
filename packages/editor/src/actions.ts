/**
 * The editor's actions: each has a name, a label for menus, an optional shortcut and a pure
 * `perform` that returns the new state and whether the change enters undo history.
 * Consecutive results with the same `coalesce` key merge into one undo step (a drag, typing).
 */
import { clampBox, defaultBoxFor, moveBox, roundBox, scaleBox } from './geometry.ts';
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
  };
  /**
   * The server now holds this image. `serverCutout` is the cutout the server made of it; the
   * asset takes it only when it has no cutout of its own (imported images), so the library
   * shows the mask the model will get.
   */
  setAssetUpload: {
    id: string;
    uploadId: string;
    serverCutout?: { cutoutSrc: string; maskSrc: string; maskSource: Asset['maskSource'] };
  };
  removeAsset: { id: string };
  addInstance: { assetId: string | null; box?: CanvasBox; phrase?: string; id?: string };
  setBox: { id: string; box: CanvasBox };
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
          ? { ...x, cutoutSrc: a.cutoutSrc, maskSrc: a.maskSrc, maskSource: a.maskSource }
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
        ? clampBox(roundBox(a.box), canvas)
        : defaultBoxFor(asset?.width ?? 1, asset?.height ?? 1, canvas);
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
        updateInstances(s, [id], (i) => ({ ...i, box: clampBox(roundBox(box), canvasOf(s)) })),
        'box:' + id,
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
      const copies = s.instances
        .filter((i) => s.selection.includes(i.id))
        .map((i) => ({
          ...i,
          id: newEditorId('inst'),
          z: ++z,
          box: moveBox(i.box, 16, 16, canvasOf(s)),
        }));
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
      const settings = { ...s.settings, ...patch };
      const resized = settings.width !== s.settings.width || settings.height !== s.settings.height;
      const instances = resized
        ? s.instances.map((i) => ({
            ...i,
            box: clampBox(scaleBox(i.box, canvasOf(s), settings), settings),
          }))
        : s.instances;
      return doc({ ...s, settings, instances }, 'settings:' + Object.keys(patch).sort().join(','));
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
      const instances = entry.instances.map((i) =>
        i.assetId && !known.has(i.assetId) ? { ...i, assetId: null } : i,
      );
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
