import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelNotFoundError } from '@contextgen/runtime';
import { RequestError } from '@contextgen/core';
import { EXIT, inRequestFile, reportError, UntrainedModelError, UsageError } from './errors.ts';

test('user-input errors exit 2 with their message; no installed model and untrained models exit 3', () => {
  assert.deepEqual(reportError(new UsageError('bad flag')), {
    message: 'error: bad flag',
    code: EXIT.badInput,
  });
  assert.equal(reportError(new RequestError('instances[0].box', 'is empty')).code, EXIT.badInput);
  assert.equal(reportError(new ModelNotFoundError('--model "x": nope')).code, EXIT.badInput);
  assert.equal(
    reportError(new ModelNotFoundError('no trained model is installed', 'not-installed')).code,
    EXIT.untrainedModel,
  );
  assert.equal(reportError(new UntrainedModelError('No trained model')).code, EXIT.untrainedModel);
});

test('unexpected errors exit 1 and hint at the debug switch; debug mode prints the stack', () => {
  const r = reportError(new TypeError('boom'));
  assert.equal(r.code, EXIT.failure);
  assert.match(r.message, /error: boom\n\(set CONTEXTGEN_DEBUG=1 for the stack trace\)/);
  assert.match(reportError(new TypeError('boom'), true).message, /TypeError: boom\n\s+at /);
});

test('inRequestFile puts the request file in front of a request error', async () => {
  await assert.rejects(
    inRequestFile('req.json', () => {
      throw new RequestError('width', 'too big');
    }),
    /req\.json: width: too big/,
  );
  assert.equal(await inRequestFile('req.json', () => 7), 7);
});
