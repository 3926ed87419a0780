/**
 * Autosave across tabs, without a DOM: each tab writes its document to its own draft (so two
 * tabs never overwrite each other), results go to one shared history that every tab merges
 * into (see `mergeHistory`), and a new tab opens the most recently saved draft. The web
 * package stores these as JSON in localStorage and listens for other tabs' writes.
 */
import { fitBox } from './geometry.ts';
import { DEFAULT_VIEW } from './state.ts';
import type { EditorState, HistoryEntry } from './types.ts';

export const DRAFT_PREFIX = 'contextgen.draft.';
export const RESULTS_KEY = 'contextgen.results';
/** Drafts kept at most (the oldest go first). */
export const MAX_DRAFTS = 6;
/** Removed result ids remembered at most (so other tabs do not bring them back). */
export const MAX_REMOVED = 200;

export interface Draft {
  readonly tabId: string;
  readonly savedAt: string;
  readonly doc: Pick<EditorState, 'assets' | 'instances' | 'settings' | 'view'>;
}

export interface SharedResults {
  readonly results: readonly HistoryEntry[];
  /** Result ids and job ids the user removed. */
  readonly removed: readonly string[];
}

export function draftFromState(tabId: string, s: EditorState, now = new Date()): Draft {
  return {
    tabId,
    savedAt: now.toISOString(),
    doc: { assets: s.assets, instances: s.instances, settings: s.settings, view: s.view },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A stored draft, or undefined when the text is not one (damaged or another format). */
export function parseDraft(text: string | null): Draft | undefined {
  if (!text) return undefined;
  try {
    const d = JSON.parse(text) as unknown;
    if (!isObject(d) || typeof d.tabId !== 'string' || typeof d.savedAt !== 'string') return;
    const doc = d.doc;
    if (!isObject(doc) || !Array.isArray(doc.assets) || !Array.isArray(doc.instances)) return;
    if (!isObject(doc.settings)) return;
    return d as unknown as Draft;
  } catch {
    return undefined;
  }
}

export function parseSharedResults(text: string | null): SharedResults {
  try {
    const r = text ? (JSON.parse(text) as unknown) : undefined;
    if (isObject(r) && Array.isArray(r.results) && Array.isArray(r.removed))
      return r as unknown as SharedResults;
  } catch {
    // damaged: start again
  }
  return { results: [], removed: [] };
}

/** This tab's own draft when it has one (a reload), else the most recently saved one. */
export function pickDraft(drafts: readonly Draft[], tabId: string): Draft | undefined {
  const own = drafts.find((d) => d.tabId === tabId);
  if (own) return own;
  return [...drafts].sort((a, b) => b.savedAt.localeCompare(a.savedAt))[0];
}

/** Tab ids whose drafts to delete so at most `keep` remain (oldest first), never `tabId`'s. */
export function draftsToPrune(
  drafts: readonly Draft[],
  tabId: string,
  keep = MAX_DRAFTS,
): string[] {
  const others = drafts
    .filter((d) => d.tabId !== tabId)
    .sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  return others.slice(Math.max(0, keep - 1)).map((d) => d.tabId);
}

/** The editor state a draft and the shared results open as (boxes made valid). */
export function stateFromDraft(
  fresh: EditorState,
  draft: Draft | undefined,
  shared: SharedResults,
): EditorState {
  const doc = draft?.doc;
  const settings = { ...fresh.settings, ...doc?.settings };
  return {
    ...fresh,
    assets: doc?.assets ?? [],
    instances: (doc?.instances ?? []).map((i) => ({ ...i, box: fitBox(i.box, settings) })),
    settings,
    view: { ...DEFAULT_VIEW, ...doc?.view },
    selection: [],
    results: shared.results,
  };
}

/** The shared results after this tab's change: merged with what other tabs stored. */
export function nextSharedResults(
  stored: SharedResults,
  mine: readonly HistoryEntry[],
  removedNow: readonly string[],
): SharedResults {
  const removed = [...new Set([...stored.removed, ...removedNow])].slice(-MAX_REMOVED);
  const gone = new Set(removed);
  const byJob = new Map<string, HistoryEntry>();
  for (const r of [...mine, ...stored.results])
    if (!gone.has(r.id) && !gone.has(r.jobId) && !byJob.has(r.jobId)) byJob.set(r.jobId, r);
  const results = [...byJob.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { results, removed };
}
