import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from './editor.ts';
import { createEditorState } from './state.ts';
import type { Asset, HistoryEntry } from './types.ts';

const asset = (id: string, w = 100, h = 50): Asset => ({
  id,
  name: `${id}_dog.png`,
  width: w,
  height: h,
  src: 'data:image/png;base64,AA',
});

function editorWithTwo(): Editor {
  const e = new Editor(createEditorState());
  e.dispatch('addAsset', asset('a'));
  e.dispatch('addAsset', asset('b', 50, 50));
  e.dispatch('addInstance', { assetId: 'a', id: 'i1' });
  e.dispatch('addInstance', { assetId: 'b', id: 'i2', box: { x1: 0, y1: 0, x2: 40, y2: 40 } });
  return e;
}

test('addInstance places an asset with its aspect, a phrase from its name, on top, selected', () => {
  const e = editorWithTwo();
  const [i1, i2] = e.state.instances;
  assert.deepEqual(i1?.box, { x1: 64, y1: 96, x2: 192, y2: 160 });
  assert.equal(i1?.phrase, 'a dog');
  assert.ok(i2!.z > i1!.z);
  assert.deepEqual(e.state.selection, ['i2']);
});

test('addInstance with an unknown asset changes nothing', () => {
  const e = new Editor(createEditorState());
  e.dispatch('addInstance', { assetId: 'nope' });
  assert.equal(e.state.instances.length, 0);
  assert.equal(e.canUndo, false);
});

test('undo and redo walk the document history', () => {
  const e = editorWithTwo();
  e.dispatch('setPhrase', { id: 'i1', phrase: 'a red dog' });
  assert.equal(e.undo(), true);
  assert.equal(e.state.instances[0]?.phrase, 'a dog');
  e.undo();
  assert.equal(e.state.instances.length, 1);
  assert.deepEqual(e.state.selection, [], 'selection of a removed instance is dropped');
  e.redo();
  e.redo();
  assert.equal(e.state.instances[0]?.phrase, 'a red dog');
  assert.equal(e.redo(), false);
});

test('a new edit after undo clears the redo stack', () => {
  const e = editorWithTwo();
  e.dispatch('setSettings', { prompt: 'x' });
  e.undo();
  e.dispatch('setSettings', { steps: 3 });
  assert.equal(e.canRedo, false);
});

test('a drag (many setBox calls) is one undo step, and commit() starts a new one', () => {
  const e = editorWithTwo();
  for (let x = 1; x <= 10; x++)
    e.dispatch('setBox', { id: 'i2', box: { x1: x, y1: 0, x2: x + 40, y2: 40 } });
  e.commit();
  e.dispatch('setBox', { id: 'i2', box: { x1: 100, y1: 0, x2: 140, y2: 40 } });
  e.undo();
  assert.equal(e.state.instances[1]?.box.x1, 10);
  e.undo();
  assert.equal(e.state.instances[1]?.box.x1, 0);
});

test('selection, view toggles and results are not undo steps and survive undo', () => {
  const e = editorWithTwo();
  e.dispatch('setSettings', { prompt: 'a beach' });
  e.dispatch('toggleLayout');
  e.dispatch('select', { ids: ['i1'] });
  const entry: HistoryEntry = {
    id: 'r1',
    jobId: 'job_1',
    createdAt: '2026-01-01T00:00:00Z',
    seed: 42,
    model: 'm',
    untrained: false,
    warnings: [],
    resultSrc: '/api/jobs/job_1/result.png',
    settings: e.state.settings,
    instances: e.state.instances,
  };
  e.dispatch('addResult', entry);
  e.undo();
  assert.equal(e.state.settings.prompt, '');
  assert.equal(e.state.view.showLayout, true);
  assert.deepEqual(e.state.selection, ['i1']);
  assert.equal(e.state.results.length, 1);
});

test('restoreResult brings back settings, boxes and the seed actually used', () => {
  const e = editorWithTwo();
  e.dispatch('setSettings', { prompt: 'first', seed: null });
  const snapshot = e.state;
  e.dispatch('addResult', {
    id: 'r1',
    jobId: 'job_1',
    createdAt: 'now',
    seed: 1234,
    model: 'm',
    untrained: true,
    warnings: ['untrained'],
    resultSrc: 'x',
    settings: snapshot.settings,
    instances: snapshot.instances,
  });
  e.dispatch('setSettings', { prompt: 'second' });
  e.dispatch('removeSelected');
  e.dispatch('restoreResult', { id: 'r1' });
  assert.equal(e.state.settings.prompt, 'first');
  assert.equal(e.state.settings.seed, 1234);
  assert.deepEqual(e.state.instances, snapshot.instances);
  e.undo();
  assert.equal(e.state.settings.prompt, 'second', 'restoring is itself undoable');
});

test('z-order actions reorder the selected instances', () => {
  const e = editorWithTwo();
  e.dispatch('addInstance', { assetId: null, id: 'i3', box: { x1: 0, y1: 0, x2: 10, y2: 10 } });
  const order = () => [...e.state.instances].sort((a, b) => a.z - b.z).map((i) => i.id);
  assert.deepEqual(order(), ['i1', 'i2', 'i3']);
  e.dispatch('sendToBack');
  assert.deepEqual(order(), ['i3', 'i1', 'i2']);
  e.dispatch('bringForward');
  assert.deepEqual(order(), ['i1', 'i3', 'i2']);
  e.dispatch('bringToFront');
  assert.deepEqual(order(), ['i1', 'i2', 'i3']);
  e.dispatch('sendBackward');
  assert.deepEqual(order(), ['i1', 'i3', 'i2']);
});

test('nudge moves the selection by the grid step and coalesces', () => {
  const e = editorWithTwo();
  e.dispatch('select', { ids: ['i2'] });
  e.dispatch('setBox', { id: 'i2', box: { x1: 16, y1: 16, x2: 56, y2: 56 } });
  e.commit();
  e.dispatch('nudgeRight');
  e.dispatch('nudgeRight');
  e.dispatch('nudgeDown');
  assert.deepEqual(e.state.instances[1]?.box, { x1: 32, y1: 24, x2: 72, y2: 64 });
});

test('changing the canvas size scales the boxes with it', () => {
  const e = editorWithTwo();
  e.dispatch('setSettings', { width: 128, height: 128 });
  assert.deepEqual(e.state.instances[1]?.box, { x1: 0, y1: 0, x2: 20, y2: 20 });
});

test('removeAsset removes the instances that use it', () => {
  const e = editorWithTwo();
  e.dispatch('removeAsset', { id: 'a' });
  assert.deepEqual(
    e.state.instances.map((i) => i.id),
    ['i2'],
  );
  e.undo();
  assert.equal(e.state.instances.length, 2);
});

test('duplicateSelected copies boxes with new ids, offset and on top', () => {
  const e = editorWithTwo();
  e.dispatch('duplicateSelected');
  const copy = e.state.instances[2]!;
  assert.notEqual(copy.id, 'i2');
  assert.deepEqual(copy.box, { x1: 16, y1: 16, x2: 56, y2: 56 });
  assert.deepEqual(e.state.selection, [copy.id]);
});

test('subscribers hear every change and can unsubscribe', () => {
  const e = new Editor(createEditorState());
  let n = 0;
  const off = e.subscribe(() => n++);
  e.dispatch('setSettings', { steps: 4 });
  off();
  e.dispatch('setSettings', { steps: 5 });
  assert.equal(n, 1);
});
