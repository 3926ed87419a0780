import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_MODEL,
  findModel,
  installedModels,
  ModelNotFoundError,
  REPO_ROOT,
} from './find-model.ts';

const root = await mkdtemp(join(tmpdir(), 'cg-find-'));
const modelsDir = join(root, 'models');
async function makeModel(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.json'), '{}');
  return dir;
}
const other = await makeModel(join(modelsDir, 'other'));
const explicit = await makeModel(join(root, 'elsewhere', 'mine'));

test('the repo root is found from the package location', () => {
  assert.ok(existsSync(join(REPO_ROOT, 'packages', 'runtime', 'package.json')));
});

test('--model beats CONTEXTGEN_MODEL, which beats the default folder', async () => {
  const fallback = await makeModel(join(modelsDir, DEFAULT_MODEL));
  assert.equal(findModel({ model: explicit, env: other, modelsDir }), explicit);
  assert.equal(findModel({ env: other, modelsDir }), other);
  assert.equal(findModel({ modelsDir }), fallback);
  assert.equal(
    findModel({ model: 'other', modelsDir, cwd: root }),
    other,
    'a bare name is looked up under models/',
  );
  assert.equal(
    findModel({ model: './elsewhere/mine', modelsDir, cwd: root }),
    explicit,
    'a relative path is resolved from cwd',
  );
  assert.deepEqual(installedModels(modelsDir), [DEFAULT_MODEL, 'other']);
});

test('with no default model installed the error says so, lists others and how to get one', () => {
  const bare = join(root, 'bare-models');
  assert.throws(
    () => findModel({ modelsDir: bare }),
    (err: Error) => {
      assert.equal(err.name, 'ModelNotFoundError');
      assert.equal((err as ModelNotFoundError).reason, 'not-installed');
      assert.match(
        err.message,
        /^no trained model is installed: .*bare-models\/embedded has no model\.json/,
      );
      assert.match(err.message, /To get one: train and export the embedded model/);
      assert.match(err.message, /--model DIR/);
      return true;
    },
  );
});

test('a --model that is not a model folder, or an unknown name, is refused clearly', async () => {
  const empty = join(root, 'empty');
  await mkdir(empty);
  assert.throws(
    () => findModel({ model: empty, modelsDir }),
    /--model ".*empty": .*empty has no model\.json, so it is not a model folder/,
  );
  assert.throws(
    () => findModel({ model: './nowhere', modelsDir, cwd: root }),
    /--model "\.\/nowhere": folder .*nowhere does not exist/,
  );
  assert.throws(
    () => findModel({ model: 'ghost', modelsDir, cwd: root }),
    /no model named "ghost" in .*models \(installed: embedded, other\)/,
  );
  assert.throws(
    () => findModel({ env: 'ghost', modelsDir, cwd: root }),
    /CONTEXTGEN_MODEL "ghost": no such folder/,
  );
});
