import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from './editor.ts';
import { loadProject, saveProject } from './project.ts';
import { createEditorState } from './state.ts';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

test('save then load round-trips the document with images inlined and upload ids dropped', async () => {
  const e = new Editor(createEditorState({ prompt: 'a park' }));
  e.dispatch('addAsset', {
    id: 'a',
    name: 'cat.png',
    width: 10,
    height: 10,
    src: '/api/uploads/upl_1/original.png',
    uploadId: 'upl_1',
    cutoutSrc: PNG,
    maskSource: 'auto',
  });
  e.dispatch('addInstance', { assetId: 'a', id: 'i1' });
  e.dispatch('addResult', {
    id: 'r',
    jobId: 'job_1',
    createdAt: 't',
    seed: 7,
    model: 'm',
    untrained: true,
    warnings: ['w'],
    resultSrc: '/api/jobs/job_1/result.png',
    settings: e.state.settings,
    instances: e.state.instances,
  });
  const fetched: string[] = [];
  const file = await saveProject(e.state, async (src) => {
    fetched.push(src);
    return PNG;
  });
  assert.deepEqual(fetched.sort(), [
    '/api/jobs/job_1/result.png',
    '/api/uploads/upl_1/original.png',
  ]);
  const json = JSON.parse(JSON.stringify(file));
  const loaded = loadProject(json);
  assert.equal(loaded.settings.prompt, 'a park');
  assert.equal(loaded.assets[0]?.src, PNG);
  assert.equal(loaded.assets[0]?.uploadId, undefined);
  assert.deepEqual(loaded.instances, e.state.instances);
  assert.equal(loaded.results[0]?.seed, 7);
  assert.equal(loaded.results[0]?.resultSrc, PNG);
});

test('loadProject names the wrong field', () => {
  assert.throws(() => loadProject({ format: 'something-else' }), /format.*contextgen-project\/1/);
  const bad = {
    format: 'contextgen-project/1',
    savedAt: 't',
    settings: { prompt: '', width: 256, height: 256, steps: 0, guidance: 1, seed: null },
    assets: [],
    instances: [],
  };
  assert.throws(() => loadProject(bad), /settings\.steps/);
  const remote = {
    ...bad,
    settings: { ...bad.settings, steps: 4 },
    assets: [{ id: 'a', name: 'x', width: 1, height: 1, src: 'http://x/y.png' }],
  };
  assert.throws(() => loadProject(remote), /assets\[0\]\.src: must be a data:image/);
});

test('instances that point at a missing asset load as phrase-only', () => {
  const file = {
    format: 'contextgen-project/1',
    savedAt: 't',
    settings: { prompt: '', width: 256, height: 256, steps: 4, guidance: 1, seed: 3 },
    assets: [],
    instances: [
      {
        id: 'i',
        assetId: 'gone',
        box: { x1: 0, y1: 0, x2: 9, y2: 9 },
        phrase: 'p',
        aspectLocked: true,
        z: 1,
        resize: 'instance-fit',
      },
    ],
  };
  assert.equal(loadProject(file).instances[0]?.assetId, null);
});
