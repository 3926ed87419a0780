/** The `contextgen` bin, spawned as a child process for each user-facing case. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { BIN, makeFixtures, TINY_MODEL } from './cli-fixtures.test-util.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    if (!('CONTEXTGEN_MODEL' in env)) delete childEnv.CONTEXTGEN_MODEL;
    // Hermetic cutouts: matting backends installed on this machine must not change the results.
    if (!('CONTEXTGEN_MATTING_DIR' in env))
      childEnv.CONTEXTGEN_MATTING_DIR = join(fx.dir, 'no-matting-backends');
    execFile(process.execPath, [BIN, ...args], { env: childEnv }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      done({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

const fx = await makeFixtures();
const model = ['--model', TINY_MODEL];
const inst = (box: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  box,
  reference: 'alpha.png',
  ...extra,
});

/** `contextgen layout` on a one-instance request whose reference is `reference` (a fixture file). */
const layoutWithReference = async (name: string, reference: string) =>
  cli([
    'layout',
    await fx.request(name, { instances: [inst([0, 0, 16, 16], { reference })] }),
    '-o',
    join(fx.dir, 'l.png'),
    ...model,
  ]);

describe('contextgen CLI', { concurrency: 3 }, () => {
  test('generate with --allow-untrained writes the image and layout, prints seed and timings, and warns', async () => {
    const req = await fx.request('ok');
    const out = join(fx.dir, 'out', 'ok.png');
    const r = await cli([
      'generate',
      req,
      '-o',
      out,
      ...model,
      '--allow-untrained',
      '--save-layout',
      '--threads',
      '1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /seed: 5\n/);
    assert.match(r.stdout, /model \d+\.\d\d s \+ outside the model \d+\.\d\d s/);
    assert.match(r.stderr, /note: instances\[1\]\.reference has no alpha; cut out automatically/);
    assert.match(
      r.stderr,
      /WARNING: .*ok\.png was made by the UNTRAINED model "tiny-random-fixture"/,
    );
    const meta = await sharp(out).metadata();
    assert.deepEqual([meta.width, meta.height, meta.format], [32, 32, 'png']);
    assert.ok(existsSync(join(fx.dir, 'out', 'ok.layout.png')));
  });

  test('generate refuses an untrained model without --allow-untrained and writes nothing', async () => {
    const out = join(fx.dir, 'refused.png');
    const r = await cli(['generate', await fx.request('refuse'), '-o', out, ...model]);
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      /No trained model is installed: .*tiny-model holds "tiny-random-fixture"/,
    );
    assert.match(r.stderr, /To get one: train and export the embedded model/);
    assert.match(r.stderr, /--allow-untrained/);
    assert.equal(existsSync(out), false);
  });

  test('a CONTEXTGEN_MODEL that is not a model folder is refused with how to get a model', async () => {
    const r = await cli(['generate', await fx.request('env'), '-o', join(fx.dir, 'e.png')], {
      CONTEXTGEN_MODEL: fx.dir,
    });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /CONTEXTGEN_MODEL ".*": .* has no model\.json, so it is not a model folder.*To get one/,
    );
  });

  test('a missing request file and invalid JSON name the file', async () => {
    const missing = await cli(['generate', join(fx.dir, 'nope.json'), '-o', 'x.png', ...model]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json: request file not found/);
    const broken = await cli(['generate', join(fx.dir, 'broken.json'), '-o', 'x.png', ...model]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.json: not valid JSON/);
  });

  test('a missing reference image names the field, the resolved path and the fix', async () => {
    const r = await layoutWithReference('missing-ref', 'ghost.png');
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /instances\[0\]\.reference .*ghost\.png: file not found; check the path \(paths in a request are relative to the request file\)/,
    );
  });

  test('an unsupported image format names the format and how to convert', async () => {
    const r = await layoutWithReference('gif', 'anim.gif');
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /instances\[0\]\.reference .*anim\.gif: unsupported image format "gif"; convert it to PNG, JPEG or WebP/,
    );
  });

  test('an image over the pixel limit is refused before decoding, stating the limit', async () => {
    const r = await layoutWithReference('huge', 'huge.png');
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /huge\.png: the image is 8000x6000 \(48\.0 megapixels\), over the 40\.0 megapixels limit; downscale it first/,
    );
  });

  test('a reference with an empty mask is refused', async () => {
    const r = await layoutWithReference('empty-mask', 'transparent.png');
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /instances\[0\]\.reference .*transparent\.png: the reference's subject mask is empty: its alpha channel is below half opacity \(128\) everywhere/,
    );
  });

  test('inverted, empty, non-numeric and outside boxes name the box and the fix', async () => {
    const cases: [unknown, RegExp][] = [
      [
        [20, 0, 4, 16],
        /instances\[0\]\.box: \[20, 0, 4, 16\] is inverted .*e\.g\. \[4, 0, 20, 16\]/,
      ],
      [[4, 4, 4, 16], /instances\[0\]\.box: \[4, 4, 4, 16\] is empty/],
      [[0, 0, null, 16], /instances\[0\]\.box.*finite number/],
      [
        [40, 40, 60, 60],
        /instances\[0\]\.box: \[40, 40, 60, 60\] lies entirely outside the 32x32 canvas/,
      ],
    ];
    for (const [i, [box, pattern]] of cases.entries()) {
      const r = await cli([
        'generate',
        await fx.request(`box-${i}`, { instances: [inst(box)] }),
        '-o',
        join(fx.dir, 'b.png'),
        ...model,
      ]);
      assert.equal(r.code, 2, `box ${JSON.stringify(box)}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /box-\d\.json: /, 'names the request file');
    }
  });

  test('a box partly outside the canvas is clipped with a warning; an odd canvas is rounded with a warning', async () => {
    const req = await fx.request('clip', { width: 30, instances: [inst([-4, 2, 20, 40])] });
    const out = join(fx.dir, 'clip.png');
    const r = await cli(['layout', req, '-o', out, ...model]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: width 30 is not a multiple of the model's token size 8; rounded to 32/,
    );
    assert.match(
      r.stderr,
      /warning: instances\[0\]\.box \[-4, 2, 20, 40\] extends past the 32x32 canvas; clipped to \[0, 2, 20, 32\]/,
    );
    assert.equal((await sharp(out).metadata()).width, 32);
  });

  test('too many instances states the model limit', async () => {
    const five = Array.from({ length: 5 }, (_, k) => inst([k * 6, 0, k * 6 + 6, 8]));
    const r = await cli([
      'generate',
      await fx.request('five', { instances: five }),
      '-o',
      join(fx.dir, 'f.png'),
      ...model,
    ]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /instances: 5 instances given but this model handles at most 4; remove 1/,
    );
  });

  test('bad options, a missing -o and an unknown command are usage errors', async () => {
    const seed = await cli([
      'generate',
      await fx.request('seed'),
      '-o',
      'x.png',
      '--seed',
      'abc',
      ...model,
    ]);
    assert.equal(seed.code, 2);
    assert.match(seed.stderr, /--seed must be a whole number in 0\.\.4294967295, got "abc"/);
    const noOut = await cli(['generate', await fx.request('no-out')]);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /generate needs -o OUT\.png/);
    const unknownOpt = await cli(['layout', 'x.json', '--frobnicate']);
    assert.equal(unknownOpt.code, 2);
    assert.match(
      unknownOpt.stderr,
      /unknown option --frobnicate for contextgen layout; run `contextgen layout --help`/,
    );
    const unknown = await cli(['paint']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "paint"; choose one of generate, layout, debug/);
  });

  test('--cutout: an unknown method and a backend not installed exit 2 saying what to do; the heuristic warns of a hole', async () => {
    const svg = `<svg width="120" height="110"><path d="M56 83 A30 30 0 1 1 64 83 L63 76 A20 20 0 1 0 57 76 Z" fill="#281e1e"/></svg>`;
    await sharp({ create: { width: 120, height: 110, channels: 3, background: '#f5f5f5' } })
      .composite([{ input: Buffer.from(svg) }])
      .png()
      .toFile(join(fx.dir, 'face-on-white.png'));
    const req = await fx.request('face', {
      instances: [inst([0, 0, 16, 16], { reference: 'face-on-white.png' })],
    });
    const out = ['-o', join(fx.dir, 'face.png'), ...model];
    const bad = await cli(['layout', req, ...out, '--cutout', 'rembg']);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /--cutout "rembg": unknown cutout method; use one of auto, heuristic, u2netp, isnet-imgly/,
    );
    const missing = await cli(['layout', req, ...out, '--cutout', 'u2netp']);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /the u2netp cutout backend is not installed; install it with `npm run matting:install -- u2netp`/,
    );
    const heuristic = await cli(['layout', req, ...out, '--cutout', 'heuristic']);
    assert.equal(heuristic.code, 0, heuristic.stderr);
    assert.match(
      heuristic.stderr,
      /warning: instances\[0\]\.reference: the automatic cutout left a hole inside the subject/,
    );
  });

  test('debug tokens prints segments, position ids and dense CLA/ICA masks for a segment_info file', async () => {
    const info = join(fx.dir, 'segment_info.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      info,
      JSON.stringify({
        caption: 'a cat',
        width: 32,
        instances: [{ image: 'alpha.png', bbox: [0, 0, 16, 16], label: 'cat' }],
      }),
    );
    const r = await cli(['debug', 'tokens', info, ...model]);
    assert.equal(r.code, 0, r.stderr);
    const dbg = JSON.parse(r.stdout);
    assert.deepEqual(
      dbg.segments.map((s: { name: string }) => s.name),
      ['text', 'phrase_0', 'main', 'layout', 'ref_0'],
    );
    assert.equal(dbg.cla.length, dbg.length);
    assert.equal(dbg.ica[0].length, dbg.length);
    assert.equal(dbg.pos.length, dbg.length);
    assert.ok(dbg.cla.flat().every((v: number) => v === 0 || v === 1));
    // Main token 0 lies in the box: it reads reference tokens in ICA rows only.
    const main0 = dbg.segments.find((s: { name: string }) => s.name === 'main').start;
    const ref = dbg.segments.find((s: { name: string }) => s.name === 'ref_0');
    const refCols = (row: number[]): number =>
      row.slice(ref.start, ref.start + ref.length).reduce((a, b) => a + b, 0);
    assert.equal(refCols(dbg.cla[main0]), 0);
    assert.ok(refCols(dbg.ica[main0]) > 0);
  });
});
