import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  draftFromState,
  draftsToPrune,
  nextSharedResults,
  parseDraft,
  parseSharedResults,
  pickDraft,
  stateFromDraft,
} from './drafts.ts';
import { historyEntry } from './history.test-util.ts';
import { createEditorState, DEFAULT_SETTINGS } from './state.ts';

const draft = (tabId: string, savedAt: string, prompt = tabId) =>
  draftFromState(tabId, createEditorState({ prompt }), new Date(`2026-01-01T00:00:${savedAt}Z`));

test('a reloaded tab opens its own draft; a new tab the latest one', () => {
  const drafts = [draft('a', '01'), draft('b', '03'), draft('c', '02')];
  assert.equal(pickDraft(drafts, 'a')?.tabId, 'a');
  assert.equal(pickDraft(drafts, 'new')?.tabId, 'b');
  assert.equal(pickDraft([], 'new'), undefined);
});

test('old drafts are pruned, never the own one', () => {
  const drafts = ['01', '02', '03', '04', '05', '06', '07', '08'].map((t, k) => draft(`t${k}`, t));
  const gone = draftsToPrune(drafts, 't0', 6);
  assert.deepEqual(gone, ['t2', 't1']);
  assert.ok(!gone.includes('t0'));
});

test('damaged or foreign stored text is ignored', () => {
  assert.equal(parseDraft('{not json'), undefined);
  assert.equal(parseDraft('{"tabId":"x"}'), undefined);
  assert.equal(parseDraft(null), undefined);
  assert.equal(parseDraft(JSON.stringify(draft('a', '01')))?.tabId, 'a');
  assert.deepEqual(parseSharedResults('[1]'), { results: [], removed: [] });
});

test('a draft opens with valid boxes and the shared results', () => {
  const d = draft('a', '01');
  const bad = {
    ...d,
    doc: {
      ...d.doc,
      settings: { ...DEFAULT_SETTINGS, width: 64, height: 64 },
      instances: [
        {
          id: 'i',
          assetId: null,
          box: { x1: 80, y1: 0, x2: 10, y2: -4 },
          phrase: '',
          aspectLocked: true,
          z: 1,
          resize: 'instance-fit' as const,
        },
      ],
    },
  };
  const s = stateFromDraft(createEditorState(), bad, { results: [], removed: [] });
  const b = s.instances[0]!.box;
  assert.ok(b.x1 >= 0 && b.x2 <= 64 && b.y1 >= 0 && b.x2 > b.x1 && b.y2 > b.y1);
});

test('two tabs writing results keep both; a removal sticks', () => {
  // tab A stored its result; tab B (which never saw it) writes its own
  const afterA = nextSharedResults(
    { results: [], removed: [] },
    [historyEntry('ra', 'ja', '1')],
    [],
  );
  const afterB = nextSharedResults(afterA, [historyEntry('rb', 'jb', '2')], []);
  assert.deepEqual(
    afterB.results.map((r) => r.id),
    ['rb', 'ra'],
  );
  const removed = nextSharedResults(afterB, [historyEntry('rb', 'jb', '2')], ['ra', 'ja']);
  assert.deepEqual(
    removed.results.map((r) => r.id),
    ['rb'],
  );
  const again = nextSharedResults(removed, [historyEntry('ra', 'ja', '1')], []);
  assert.deepEqual(
    again.results.map((r) => r.id),
    ['rb'],
    'a tab that still shows a removed result does not bring it back',
  );
});
