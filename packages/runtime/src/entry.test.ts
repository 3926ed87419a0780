import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

test('the package entry imports by name in a fresh process and loads the fixture model', () => {
  const script = `
    import { loadModel, findModel } from '@contextgen/runtime';
    const m = await loadModel(${JSON.stringify(join(pkg, 'test-fixtures', 'tiny-model'))}, { threads: 1 });
    const e = await m.executor.encodeText(BigInt64Array.from([2n, 16n]), 1, 2);
    console.log(JSON.stringify({ name: m.manifest.name, dims: e.dims, find: typeof findModel }));
    await m.executor.dispose();
  `;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: pkg, encoding: 'utf8' },
  );
  const got = JSON.parse(out.trim().split('\n').pop()!);
  assert.deepEqual(got, { name: 'tiny-random-fixture', dims: [1, 2, 16], find: 'function' });
});

test('the web entry resolves as its own export', () => {
  const script = `
    const web = await import('@contextgen/runtime/web');
    console.log(JSON.stringify({ load: typeof web.loadModelFromUrl, devices: web.WEB_DEVICES }));
  `;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: pkg, encoding: 'utf8' },
  );
  const got = JSON.parse(out.trim().split('\n').pop()!);
  assert.equal(got.load, 'function');
  assert.deepEqual(got.devices, ['wasm', 'webgpu', 'webnn']);
});

/** Relative imports and package imports of a source file, followed transitively within src/. */
async function importClosure(entry: string): Promise<Set<string>> {
  const { readFile } = await import('node:fs/promises');
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s(?!type\b)[^'"]*from\s+'([^']+)'/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) await visit(join(dirname(file), spec));
      else packages.add(spec);
    }
  };
  await visit(entry);
  return packages;
}

test('the node entry never imports onnxruntime-web and the web entry never imports onnxruntime-node', async () => {
  const nodeImports = await importClosure(join(pkg, 'src', 'index.ts'));
  const webImports = await importClosure(join(pkg, 'src', 'web.ts'));
  assert.ok(
    nodeImports.has('onnxruntime-node') && !nodeImports.has('onnxruntime-web'),
    [...nodeImports].join(', '),
  );
  assert.ok(
    webImports.has('onnxruntime-web') && !webImports.has('onnxruntime-node'),
    [...webImports].join(', '),
  );
  assert.ok(
    !webImports.has('node:fs') && !webImports.has('node:path'),
    'no Node APIs in the web entry',
  );
});
