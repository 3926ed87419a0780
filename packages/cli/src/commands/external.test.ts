import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportedFunction, importPackage, runExternal } from './external.ts';

test('a package that cannot be loaded gives a "not available" error naming the command', async () => {
  await assert.rejects(importPackage('@contextgen/does-not-exist', 'frob'), (err: Error) => {
    assert.equal(err.name, 'NotAvailableError');
    assert.match(
      err.message,
      /"contextgen frob" is not available: the package @contextgen\/does-not-exist could not be loaded/,
    );
    return true;
  });
});

test('a package without the expected export is "not available", one with it is called with argv', async () => {
  assert.throws(
    () => exportedFunction({}, '@contextgen/x', 'runXCli', 'x'),
    /"contextgen x" is not available: @contextgen\/x does not export runXCli\(\) yet/,
  );
  const mod = { runXCli: async (argv: string[]) => argv.length + 40 };
  const fn = exportedFunction<(a: string[]) => Promise<number>>(
    mod,
    '@contextgen/x',
    'runXCli',
    'x',
  );
  assert.equal(await fn(['a', 'b']), 42);
  await assert.rejects(
    runExternal({ name: 'ghost', pkg: '@contextgen/ghost', exportName: 'run', summary: '' }, []),
    /not available/,
  );
});
