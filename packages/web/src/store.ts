/**
 * The one editor of the page, a React hook over it, and autosave that is safe across tabs:
 * each tab saves its document to its own draft (a reload reopens it, a new tab opens the
 * latest), results go to one shared history every tab merges, and when another tab saves its
 * document this tab says so and offers to load it (nothing is overwritten silently).
 */
import { useSyncExternalStore } from 'react';
import {
  DRAFT_PREFIX,
  Editor,
  RESULTS_KEY,
  createEditorState,
  draftFromState,
  draftsToPrune,
  newEditorId,
  nextSharedResults,
  parseDraft,
  parseSharedResults,
  pickDraft,
  stateFromDraft,
  type Draft,
  type EditorState,
  type HistoryEntry,
} from '@contextgen/editor';

const LEGACY_KEY = 'contextgen.editor.v1';
const TAB_KEY = 'contextgen.tab';

function tabIdOf(): string {
  let id = sessionStorage.getItem(TAB_KEY);
  if (!id) {
    id = newEditorId('tab');
    sessionStorage.setItem(TAB_KEY, id);
  }
  return id;
}

export const tabId = tabIdOf();

function allDrafts(): Draft[] {
  const out: Draft[] = [];
  for (let k = 0; k < localStorage.length; k++) {
    const key = localStorage.key(k);
    if (!key?.startsWith(DRAFT_PREFIX)) continue;
    const d = parseDraft(localStorage.getItem(key));
    if (d) out.push(d);
  }
  return out;
}

/** The autosave of versions before per-tab drafts, read once as a draft. */
function legacyDraft(): Draft | undefined {
  try {
    const text = localStorage.getItem(LEGACY_KEY);
    if (!text) return undefined;
    const s = JSON.parse(text) as EditorState;
    if (Array.isArray(s.results) && s.results.length > 0) {
      const shared = nextSharedResults(readShared(), s.results, []);
      localStorage.setItem(RESULTS_KEY, JSON.stringify(shared));
    }
    localStorage.removeItem(LEGACY_KEY);
    return draftFromState(tabId, { ...createEditorState(), ...s });
  } catch {
    return undefined;
  }
}

const readShared = () => parseSharedResults(localStorage.getItem(RESULTS_KEY));

function restore(): { state: EditorState; restored: boolean } {
  const fresh = createEditorState();
  try {
    const legacy = legacyDraft();
    const draft = pickDraft(legacy ? [legacy, ...allDrafts()] : allDrafts(), tabId);
    return { state: stateFromDraft(fresh, draft, readShared()), restored: draft !== undefined };
  } catch {
    return { state: fresh, restored: false };
  }
}

const initial = restore();
export const editor = new Editor(initial.state);
/** Whether the document came from a saved draft (else it is new and takes the model's defaults). */
export const restoredDraft = initial.restored;

/** Things the page shows about autosave: a failure, or another tab's newer draft. */
export interface StoreNotice {
  readonly problem?: string;
  readonly otherTab?: Draft;
}
let notice: StoreNotice = {};
const noticeListeners = new Set<() => void>();
function setNotice(n: StoreNotice): void {
  notice = n;
  for (const l of noticeListeners) l();
}
export function useStoreNotice(): StoreNotice {
  return useSyncExternalStore(
    (cb) => {
      noticeListeners.add(cb);
      return () => noticeListeners.delete(cb);
    },
    () => notice,
  );
}
export function dismissOtherTab(): void {
  setNotice({ ...notice, otherTab: undefined });
}
/** Loads the other tab's document (undoable); its draft stays where it is. */
export function loadOtherTab(): void {
  const d = notice.otherTab;
  if (!d) return;
  editor.dispatch('replaceDocument', {
    assets: d.doc.assets,
    instances: d.doc.instances,
    settings: d.doc.settings,
  });
  dismissOtherTab();
}

let lastDoc: unknown;
let lastResults: readonly HistoryEntry[] = editor.state.results;
let pendingRemoved: string[] = [];
let saveTimer: ReturnType<typeof setTimeout> | undefined;

function saveNow(): void {
  clearTimeout(saveTimer);
  saveTimer = undefined;
  const s = editor.state;
  try {
    const doc = [s.assets, s.instances, s.settings, s.view];
    if (doc.some((part, k) => part !== (lastDoc as unknown[] | undefined)?.[k])) {
      localStorage.setItem(DRAFT_PREFIX + tabId, JSON.stringify(draftFromState(tabId, s)));
      for (const id of draftsToPrune(allDrafts(), tabId))
        localStorage.removeItem(DRAFT_PREFIX + id);
      lastDoc = doc;
    }
    if (s.results !== lastResults || pendingRemoved.length > 0) {
      const shared = nextSharedResults(readShared(), s.results, pendingRemoved);
      localStorage.setItem(RESULTS_KEY, JSON.stringify(shared));
      pendingRemoved = [];
      lastResults = s.results;
    }
    if (notice.problem) setNotice({ ...notice, problem: undefined });
  } catch (err) {
    setNotice({
      ...notice,
      problem: `Autosave failed (${(err as Error).message}); save the project to a file`,
    });
  }
}

editor.subscribe((s) => {
  if (s.results !== lastResults) {
    const now = new Set(s.results.map((r) => r.id));
    for (const r of lastResults) if (!now.has(r.id)) pendingRemoved.push(r.id, r.jobId);
  }
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveNow, 150);
});

// A reload or a closed tab must not lose the last 150 ms of edits.
window.addEventListener('pagehide', () => saveTimer !== undefined && saveNow());

// Other tabs: their results join this history; a newer document of theirs is offered.
window.addEventListener('storage', (e) => {
  if (e.storageArea !== localStorage || !e.key) return;
  if (e.key === RESULTS_KEY) {
    const shared = parseSharedResults(e.newValue);
    editor.dispatch('mergeResults', { entries: shared.results, removed: shared.removed });
    lastResults = editor.state.results;
  } else if (e.key.startsWith(DRAFT_PREFIX) && e.key !== DRAFT_PREFIX + tabId) {
    const d = parseDraft(e.newValue);
    // a tab that only opened (or saved what this one shows) is no news
    if (d && !sameDocument(d, editor.state)) setNotice({ ...notice, otherTab: d });
  }
});

function sameDocument(d: Draft, s: EditorState): boolean {
  const { assets, instances, settings } = d.doc;
  return (
    JSON.stringify([assets, instances, settings]) ===
    JSON.stringify([s.assets, s.instances, s.settings])
  );
}

export function useEditorState(): EditorState {
  return useSyncExternalStore(
    (cb) => editor.subscribe(cb),
    () => editor.state,
  );
}
