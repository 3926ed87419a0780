/** Issue 13: canvas resize, valid boxes, cascade placement, imports, merged history, job entries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeHistory } from './actions.ts';
import { Editor } from './editor.ts';
import { boxHeight, boxWidth, cascadeBox, fitBox, setBoxEdge } from './geometry.ts';
import { historyEntryFromJob, type ServerJob } from './jobs.ts';
import { loadProject, PROJECT_FORMAT } from './project.ts';
import { describeRequestField, nameBoxesIn } from './request.ts';
import { historyEntry } from './history.test-util.ts';
import { createEditorState, DEFAULT_SETTINGS } from './state.ts';
import type { CanvasBox } from './types.ts';

const canvas = { width: 128, height: 128 };
const valid = (b: CanvasBox, c = canvas) =>
  b.x2 > b.x1 && b.y2 > b.y1 && b.x1 >= 0 && b.y1 >= 0 && b.x2 <= c.width && b.y2 <= c.height;

function twoBoxes(): Editor {
  const e = new Editor(createEditorState({ width: 128, height: 128 }));
  e.dispatch('addInstance', { assetId: null, id: 'a', box: { x1: 0, y1: 0, x2: 64, y2: 32 } });
  e.dispatch('addInstance', { assetId: null, id: 'b', box: { x1: 96, y1: 96, x2: 128, y2: 128 } });
  return e;
}

test('a canvas resize maps every box once and is one undo step', () => {
  const e = twoBoxes();
  e.dispatch('resizeCanvas', { width: 256, height: 64 });
  assert.deepEqual(e.state.instances[0]?.box, { x1: 0, y1: 0, x2: 128, y2: 16 });
  assert.deepEqual(e.state.instances[1]?.box, { x1: 192, y1: 48, x2: 256, y2: 64 });
  e.dispatch('resizeCanvas', { width: 128, height: 128 });
  assert.deepEqual(e.state.instances[0]?.box, { x1: 0, y1: 0, x2: 64, y2: 32 }, 'no drift');
  e.undo();
  assert.equal(e.state.settings.width, 256);
  e.undo();
  assert.equal(e.state.settings.width, 128);
  assert.deepEqual(e.state.instances[1]?.box, { x1: 96, y1: 96, x2: 128, y2: 128 });
});

test('setSettings with a size is a resize of its own, not merged with typing', () => {
  const e = twoBoxes();
  e.dispatch('setSettings', { prompt: 'a' });
  e.dispatch('setSettings', { width: 64 });
  e.dispatch('setSettings', { prompt: 'ab' });
  e.undo();
  assert.equal(e.state.settings.prompt, 'a');
  assert.equal(e.state.settings.width, 64);
  e.undo();
  assert.equal(e.state.settings.width, 128);
  assert.deepEqual(e.state.instances[0]?.box, { x1: 0, y1: 0, x2: 64, y2: 32 });
});

test('fitBox makes any box valid: inverted, empty, off-canvas, not finite', () => {
  assert.deepEqual(fitBox({ x1: 50, y1: 60, x2: 10, y2: 20 }, canvas), {
    x1: 10,
    y1: 20,
    x2: 50,
    y2: 60,
  });
  assert.ok(valid(fitBox({ x1: 10, y1: 10, x2: 10, y2: 10 }, canvas)));
  assert.equal(boxWidth(fitBox({ x1: 10, y1: 10, x2: 10, y2: 10 }, canvas)), 4);
  assert.ok(valid(fitBox({ x1: -500, y1: 900, x2: -400, y2: 1000 }, canvas)));
  assert.ok(valid(fitBox({ x1: Number.NaN, y1: 0, x2: Infinity, y2: 5 }, canvas)));
});

test('typed coordinates keep the opposite edge and a valid box', () => {
  const b = { x1: 10, y1: 10, x2: 50, y2: 50 };
  assert.deepEqual(setBoxEdge(b, 'x2', 5, canvas), { x1: 10, y1: 10, x2: 14, y2: 50 });
  assert.deepEqual(setBoxEdge(b, 'x1', -20, canvas), { x1: 0, y1: 10, x2: 50, y2: 50 });
  assert.deepEqual(setBoxEdge(b, 'y2', 4000, canvas), { x1: 10, y1: 10, x2: 50, y2: 128 });
  assert.deepEqual(setBoxEdge(b, 'y1', 49, canvas), { x1: 10, y1: 46, x2: 50, y2: 50 });
  const e = twoBoxes();
  e.dispatch('setBoxEdge', { id: 'a', edge: 'x2', value: -3 });
  assert.ok(valid(e.state.instances[0]!.box));
  e.dispatch('setBox', { id: 'a', box: { x1: 100, y1: 100, x2: 20, y2: -30 } });
  assert.ok(valid(e.state.instances[0]!.box));
});

test('Duplicate keeps copies on the canvas and off the original, repeatedly', () => {
  const e = twoBoxes();
  e.dispatch('select', { ids: ['b'] }); // in the bottom-right corner
  const seen = [e.state.instances[1]!.box];
  for (let k = 0; k < 5; k++) {
    e.dispatch('duplicateSelected');
    const copy = e.state.instances.at(-1)!.box;
    assert.ok(valid(copy), JSON.stringify(copy));
    assert.equal(boxWidth(copy), 32);
    assert.ok(
      seen.every((s) => s.x1 !== copy.x1 || s.y1 !== copy.y1),
      `copy ${k} lands on its own spot`,
    );
    seen.push(copy);
  }
});

test('Place cascades: each new box lands on its own spot', () => {
  const e = new Editor(createEditorState({ width: 128, height: 128 }));
  e.dispatch('addAsset', { id: 'x', name: 'cat.png', width: 10, height: 10, src: 's' });
  for (let k = 0; k < 4; k++) e.dispatch('addInstance', { assetId: 'x' });
  const corners = e.state.instances.map((i) => `${i.box.x1},${i.box.y1}`);
  assert.equal(new Set(corners).size, 4, corners.join(' '));
  assert.deepEqual(corners.slice(0, 2), ['32,32', '48,48']);
  assert.ok(e.state.instances.every((i) => valid(i.box)));
  assert.deepEqual(
    cascadeBox({ x1: 0, y1: 0, x2: 10, y2: 10 }, [], canvas, 16),
    { x1: 0, y1: 0, x2: 10, y2: 10 },
    'a free spot is kept',
  );
});

test('a phrase-only instance: a box with text and no reference', () => {
  const e = new Editor(createEditorState());
  e.dispatch('addInstance', { assetId: null, phrase: 'a red ball' });
  const inst = e.state.instances[0]!;
  assert.equal(inst.assetId, null);
  assert.equal(inst.phrase, 'a red ball');
  assert.ok(boxHeight(inst.box) > 0);
});

test('replaceDocument (an import) is one undo step', () => {
  const e = twoBoxes();
  e.dispatch('replaceDocument', {
    assets: [],
    instances: [],
    settings: { ...DEFAULT_SETTINGS, prompt: 'imported' },
  });
  assert.equal(e.state.instances.length, 0);
  e.undo();
  assert.equal(e.state.instances.length, 2);
  assert.equal(e.state.settings.prompt, '');
});

test('results from another tab merge by job, newest first; removed ones stay out', () => {
  const mine = [historyEntry('r2', 'j2', '2026-01-02')];
  const theirs = [historyEntry('r1', 'j1', '2026-01-01'), historyEntry('r3', 'j3', '2026-01-03')];
  assert.deepEqual(
    mergeHistory(mine, theirs).map((r) => r.id),
    ['r3', 'r2', 'r1'],
  );
  assert.equal(
    mergeHistory(mine, [historyEntry('other', 'j2', '2026')]),
    mine,
    'same job: unchanged',
  );
  assert.deepEqual(
    mergeHistory(mine, theirs, ['r3', 'j2']).map((r) => r.id),
    ['r1'],
  );
});

test('a finished server job becomes a history entry with its references mapped back', () => {
  const job: ServerJob = {
    id: 'job_x',
    model: 'embedded',
    status: 'succeeded',
    createdAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:05Z',
    request: {
      width: 128,
      height: 128,
      prompt: 'a cat',
      seed: 3,
      instances: [
        { box: [0, 0, 64, 64], reference: 'upl_a', phrase: 'cat', z: 1 },
        { box: [10, 10, 20, 20], reference: 'upl_gone', z: 2 },
      ],
    },
    result: { seed: 3, untrained: false, warnings: [], resultUrl: '/r', layoutUrl: '/l' },
  };
  const assets = [{ id: 'asset1', name: 'c', width: 1, height: 1, src: 's', uploadId: 'upl_a' }];
  const e = historyEntryFromJob(job, assets)!;
  assert.equal(e.jobId, 'job_x');
  assert.equal(e.createdAt, '2026-01-01T00:00:05Z');
  assert.equal(e.settings.prompt, 'a cat');
  assert.equal(e.instances[0]?.assetId, 'asset1');
  assert.equal(e.instances[1]?.assetId, null, 'unknown upload: phrase-only');
  assert.equal(historyEntryFromJob({ ...job, status: 'running' }, assets), undefined);
});

test('errors name the box the user sees, in request (paint) order', () => {
  const e = twoBoxes();
  e.dispatch('setPhrase', { id: 'b', phrase: 'a grey cat' });
  e.dispatch('select', { ids: ['b'] });
  e.dispatch('sendToBack');
  const d = describeRequestField(e.state, 'instances[0].box');
  assert.equal(d.instanceId, 'b');
  assert.equal(d.text, 'the box “a grey cat” (instances[0].box)');
  assert.equal(
    nameBoxesIn(e.state, 'instances[1].box: is empty'),
    'the box “text box” (instances[1].box): is empty',
  );
  assert.equal(describeRequestField(e.state, 'width').text, 'width');
});

test('a project file with broken boxes opens with valid ones', () => {
  const s = loadProject({
    format: PROJECT_FORMAT,
    savedAt: 'now',
    settings: { ...DEFAULT_SETTINGS, width: 64, height: 64 },
    assets: [],
    instances: [
      {
        id: 'i',
        assetId: null,
        box: { x1: 50, y1: 50, x2: -10, y2: 300 },
        phrase: '',
        aspectLocked: false,
        z: 1,
        resize: 'stretch',
      },
    ],
  });
  assert.ok(valid(s.instances[0]!.box, { width: 64, height: 64 }));
});
