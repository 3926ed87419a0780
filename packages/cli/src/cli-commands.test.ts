/**
 * The command line in-process (main() with captured output): help and version on every
 * command, the seed, the request's "model" field, the -o check, segment_info lists and
 * ready layout images.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImageFile } from '@contextgen/imaging';
import { makeFixtures, TINY_MODEL } from './cli-fixtures.test-util.ts';
import { main } from './main.ts';

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function run(...argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const fx = await makeFixtures();
const model = ['--model', TINY_MODEL];

describe('help and version', () => {
  const helps: [string[], RegExp][] = [
    [['--help'], /^Usage: contextgen <command> \[options\]/],
    [['-h'], /^Usage: contextgen <command>/],
    [[], /^Usage: contextgen <command>/],
    [
      ['generate', '--help'],
      /^Usage: contextgen generate <request\.json\|segment_info\.json> -o out\.png/,
    ],
    [['generate', 'x.json', '--seed', 'oops', '-h'], /^Usage: contextgen generate/],
    [['layout', '-h'], /^Usage: contextgen layout /],
    [['debug', '--help'], /^Usage: contextgen debug <command>[\s\S]*tokens/],
    [['debug', 'tokens', '--help'], /^Usage: contextgen debug tokens /],
    [['dataset', '--help'], /^Usage: contextgen dataset <command>[\s\S]*build[\s\S]*preview/],
    [['dataset', 'build', '--help'], /^Usage: contextgen dataset build --count N --out DIR/],
    [['dataset', 'preview', '-h'], /^Usage: contextgen dataset preview DIR -o sheet\.png/],
    [['bench', '--help'], /^Usage: contextgen bench <command>[\s\S]*run[\s\S]*report/],
    [['bench', 'run', '--help'], /^Usage: contextgen bench run --model/],
    [['bench', 'report', '-h'], /^Usage: contextgen bench report DIR/],
    [['serve', '--help'], /^Usage: contextgen serve \[options\][\s\S]*CONTEXTGEN_TOKEN/],
  ];
  for (const [argv, pattern] of helps) {
    test(`contextgen ${argv.join(' ')} prints usage and exits 0`, async () => {
      const r = await run(...argv);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, pattern);
      assert.equal(r.err, '');
    });
  }

  test('--version prints the package version', async () => {
    const r = await run('--version');
    assert.equal(r.code, 0);
    assert.match(r.out, /^contextgen 0\.1\.0 \(node v\d+\.\d+\.\d+\)$/);
  });

  test('usage errors in subcommands exit 2 and say what to type', async () => {
    let r = await run('dataset', 'build', '--count', '10');
    assert.equal(r.code, 2);
    assert.match(r.err, /dataset build needs --count N and --out DIR/);
    r = await run('dataset', 'build', '--count', 'many', '--out', join(fx.dir, 'ds'));
    assert.equal(r.code, 2);
    assert.match(r.err, /--count must be a whole number in 1\.\.1000000000, got "many"/);
    r = await run('dataset', 'frob');
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /unknown command "frob" for contextgen dataset; choose one of build, preview/,
    );
    r = await run('bench', 'run', '--set', 'heldout');
    assert.equal(r.code, 2);
    assert.match(r.err, /bench run needs --model, --out/);
    r = await run('bench');
    assert.equal(r.code, 2);
    assert.match(r.err, /contextgen bench needs a command: make-sets, calibrate, run/);
    r = await run('serve', '--port', 'x');
    assert.equal(r.code, 2);
    assert.match(r.err, /--port must be a whole number in 0\.\.65535, got "x"/);
  });
});

describe('generate options', () => {
  test("--seed -1 draws a random seed instead of the request's; -2 is refused clearly", async () => {
    const req = await fx.request('seed-random');
    const r = await run(
      'generate',
      req,
      '-o',
      join(fx.dir, 'sr.png'),
      ...model,
      '--allow-untrained',
      '--threads',
      '1',
      '--seed',
      '-1',
    );
    assert.equal(r.code, 0, r.err);
    const seed = Number(/seed: (\d+)/.exec(r.out)?.[1]);
    assert.ok(Number.isInteger(seed) && seed !== 5, `request seed 5 replaced, got ${seed}`);
    const bad = await run('generate', req, '-o', join(fx.dir, 'sb.png'), ...model, '--seed', '-2');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--seed must be a whole number in 0\.\.4294967295, got "-2"/);
    assert.doesNotMatch(bad.err, /ambiguous/);
  });

  test('a bad "model" field is blamed on the request file, not on --model', async () => {
    const req = await fx.request('bad-model-field', { model: 'no-such-model' });
    const r = await run('generate', req, '-o', join(fx.dir, 'bm.png'));
    assert.equal(r.code, 2);
    assert.match(r.err, /bad-model-field\.json: field "model" .*"no-such-model": no such folder/);
    assert.doesNotMatch(r.err, /--model "no-such-model"/);
  });

  test('an unwritable -o fails before any work, a missing folder is created', async () => {
    // The untrained tiny model would stop the run with exit 3 AFTER the output check.
    const req = await fx.request('out-check');
    const underFile = join(fx.dir, 'alpha.png', 'x.png');
    let r = await run('generate', req, '-o', underFile, ...model);
    assert.equal(r.code, 2, r.err);
    assert.match(
      r.err,
      /-o .*alpha\.png\/x\.png: cannot create the folder .*\(E(NOTDIR|EXIST)\); nothing was generated/,
    );
    await mkdir(join(fx.dir, 'taken.png'));
    r = await run('generate', req, '-o', join(fx.dir, 'taken.png'), ...model);
    assert.equal(r.code, 2);
    assert.match(r.err, /taken\.png is a folder, not a file/);
    const fresh = join(fx.dir, 'new', 'deeper', 'o.png');
    r = await run('generate', req, '-o', fresh, ...model);
    assert.equal(r.code, 3, 'reaches the model check once the output is fine');
    assert.ok(existsSync(join(fx.dir, 'new', 'deeper')), 'the output folder was created up front');
    r = await run('layout', req, '-o', underFile, ...model);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot create the folder/);
  });
});

describe('segment_info lists and ready layout images', () => {
  const example = (caption: string, bbox: number[]) => ({
    caption,
    width: 128,
    height: 64,
    instances: [{ image: 'alpha.png', bbox, label: 'cat', phrase: 'a red cat' }],
  });

  test('a list needs --entry; a wrong one lists how many exist', async () => {
    const list = join(fx.dir, 'list.json');
    await writeFile(
      list,
      JSON.stringify([example('a', [0, 0, 64, 64]), example('b', [64, 0, 128, 64])]),
    );
    let r = await run('layout', list, '-o', join(fx.dir, 'l0.png'), ...model);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /list\.json is a segment_info list of 2 examples; choose one with --entry N \(0\.\.1\)/,
    );
    r = await run('layout', list, '-o', join(fx.dir, 'l0.png'), ...model, '--entry', '2');
    assert.equal(r.code, 2);
    assert.match(r.err, /--entry 2: .*list\.json holds 2 examples; give --entry 0\.\.1/);
  });

  test("boxes are scaled from the example's frame to the model's or the user's canvas", async () => {
    const list = join(fx.dir, 'list2.json');
    await writeFile(
      list,
      JSON.stringify([example('a', [0, 0, 64, 64]), example('b', [64, 0, 128, 64])]),
    );
    // The tiny model chooses 64x32 for a 128x64 frame; entry 1's box [64,0,128,64] -> [32,0,64,32].
    const out = join(fx.dir, 'e1.png');
    let r = await run('layout', list, '-o', out, ...model, '--entry', '1', '--no-boxes');
    assert.equal(r.code, 0, r.err);
    const meta = await sharp(out).metadata();
    assert.deepEqual([meta.width, meta.height], [64, 32]);
    assert.match(
      r.err,
      /note: boxes scaled from the segment_info frame's 128x64 to the 64x32 canvas/,
    );
    const { image } = await decodeImageFile(out);
    const alphaAt = (x: number, y: number) => image.data[(y * image.width + x) * 4 + 3]!;
    assert.equal(alphaAt(48, 16), 255, 'the subject sits in the right half');
    assert.equal(alphaAt(16, 16), 0, 'the left half is empty');
    // The user's canvas: --width alone keeps the frame's aspect.
    const wide = join(fx.dir, 'e0.png');
    r = await run(
      'layout',
      list,
      '-o',
      wide,
      ...model,
      '--entry',
      '0',
      '--width',
      '48',
      '--no-boxes',
    );
    assert.equal(r.code, 0, r.err);
    const w = await sharp(wide).metadata();
    assert.deepEqual([w.width, w.height], [48, 24]);
  });

  test('layout resizes a ready layout image of another size to the canvas, as generate does', async () => {
    const req = await fx.request('ready-layout', { layoutImage: 'alpha.png' }); // 24x24 on 32x32
    const out = join(fx.dir, 'ready.png');
    const r = await run('layout', req, '-o', out, ...model, '--no-boxes');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /warning: layoutImage is 24x24; resized to the 32x32 canvas/);
    const meta = await sharp(out).metadata();
    assert.deepEqual([meta.width, meta.height], [32, 32]);
  });
});
