import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePng } from './encode.ts';
import { loadMattingModel } from './matting.ts';
import { loadReference, makeReference } from './reference.ts';
import { inDisc, iou, paintImage } from './synthetic.test-util.ts';

const dir = await mkdtemp(join(tmpdir(), 'cg-ref-'));
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures');
const disc = (x: number, y: number): boolean => inDisc(x, y, 32, 30, 18);
const discOnWhite = paintImage(64, 60, (x, y) => (disc(x, y) ? [40, 30, 90] : [250, 250, 250]));

test('a reference with alpha uses the alpha as its mask', async () => {
  const rgba = { ...discOnWhite, data: discOnWhite.data.slice() };
  for (let i = 0; i < 64 * 60; i++)
    rgba.data[i * 4 + 3] = disc(i % 64, Math.floor(i / 64)) ? 255 : 0;
  const path = join(dir, 'alpha.png');
  await writePng(path, rgba);
  const ref = await loadReference(path);
  assert.equal(ref.maskSource, 'alpha');
  assert.equal(iou(ref.cutout.mask.data, 64, disc), 1);
});

test('a reference without alpha is cut out automatically', async () => {
  const path = join(dir, 'plain.png');
  await writePng(path, discOnWhite);
  const ref = await loadReference(path);
  assert.equal(ref.maskSource, 'auto-cutout');
  assert.ok(iou(ref.cutout.mask.data, 64, disc) > 0.95);
  assert.deepEqual(ref.warnings, [], 'a clean disc raises no doubt');
});

test('a heuristic cutout whose light face joins the white backdrop is reported, not silently used', async () => {
  // A dark ring of hair open at the chin around a face of the backdrop's colour: the face floods
  // with the backdrop through the gap, leaving a hole inside the subject's outline.
  const img = paintImage(120, 110, (x, y) => {
    const ring = inDisc(x, y, 60, 55, 30) && !inDisc(x, y, 60, 57, 20);
    const chin = y > 60 && Math.abs(x + 0.5 - 60) < 4;
    return ring && !chin ? [40, 30, 30] : [245, 245, 245];
  });
  const path = join(dir, 'face-on-white.png');
  await writePng(path, img);
  const ref = await loadReference(path);
  assert.equal(ref.maskSource, 'auto-cutout');
  assert.equal(ref.warnings.length, 1, ref.warnings.join('\n'));
  assert.match(ref.warnings[0]!, /hole inside the subject \(\d+ % of its outline\)/);
  assert.match(ref.warnings[0]!, /npm run matting:install -- u2netp/);
});
test('an explicit mask file wins and must match the reference size', async () => {
  const path = join(dir, 'plain2.png');
  await writePng(path, discOnWhite);
  const maskPath = join(dir, 'mask.png');
  await writePng(
    maskPath,
    paintImage(64, 60, (x) => (x < 10 ? [255, 255, 255] : [0, 0, 0])),
  );
  const ref = await loadReference(path, { maskPath });
  assert.equal(ref.maskSource, 'mask-file');
  assert.equal(
    iou(ref.cutout.mask.data, 64, (x) => x < 10),
    1,
  );
  const small = join(dir, 'small-mask.png');
  await writePng(
    small,
    paintImage(10, 10, () => [255, 255, 255]),
  );
  await assert.rejects(
    loadReference(path, { maskPath: small }),
    /small-mask\.png: the mask is 10x10 but its reference .* is 64x60; give a mask of the same size/,
  );
});

test('references whose mask is empty are refused with the reason', async () => {
  const clear = paintImage(16, 16, () => [10, 10, 10]);
  const transparent = { ...clear, data: clear.data.map((v, i) => (i % 4 === 3 ? 0 : v)) };
  const p1 = join(dir, 'transparent.png');
  await writePng(p1, transparent);
  await assert.rejects(
    loadReference(p1),
    /transparent\.png: the reference's subject mask is empty: its alpha channel is below half opacity \(128\) everywhere/,
  );
  const p2 = join(dir, 'blank.png');
  await writePng(
    p2,
    paintImage(16, 16, () => [200, 200, 200]),
  );
  await assert.rejects(
    loadReference(p2),
    /blank\.png: the reference's subject mask is empty: the automatic cutout found no subject/,
  );
});

test('an ONNX matting model with one image input supplies the mask', async () => {
  const matting = await loadMattingModel(join(fixtures, 'tiny-matting.onnx'), { defaultSize: 64 });
  try {
    const path = join(dir, 'for-matting.png');
    await writePng(path, discOnWhite);
    const ref = await loadReference(path, { matting });
    assert.equal(ref.maskSource, 'matting');
    assert.equal(ref.cutout.mask.width, 64);
    assert.ok(
      iou(ref.cutout.mask.data, 64, disc, 127) > 0.9,
      'dark disc found by the tiny matting model',
    );
  } finally {
    await matting.dispose();
  }
});

test('a matting model with the wrong inputs, or a missing file, is refused with the expected I/O', async () => {
  await assert.rejects(
    loadMattingModel(join(fixtures, 'two-input.onnx')),
    /two-input\.onnx: the matting model has 2 inputs \(image, other\); a matting model must have one float32 input \[1, 3, H, W\]/,
  );
  await assert.rejects(
    loadMattingModel(join(dir, 'nope.onnx')),
    /nope\.onnx: cannot load the matting model/,
  );
});

test('soft alpha and grey mask values below half coverage are background (the one subject rule)', async () => {
  const image = { width: 3, height: 1, data: new Uint8ClampedArray(3 * 4) };
  [100, 128, 255].forEach((a, i) => image.data.set([10, 20, 30, a], i * 4));
  const fromAlpha = await makeReference({ source: 'soft.png', image });
  assert.equal(fromAlpha.maskSource, 'alpha');
  assert.deepEqual(Array.from(fromAlpha.cutout.mask.data), [0, 255, 255]);
  const opaque = { width: 3, height: 1, data: new Uint8ClampedArray(12).fill(255) };
  const grey = { width: 3, height: 1, data: new Uint8ClampedArray(12) };
  [90, 127, 200].forEach((v, i) => grey.data.set([v, v, v, 255], i * 4));
  const fromFile = await makeReference({
    source: 'ref.png',
    image: opaque,
    mask: { source: 'mask.png', image: grey },
  });
  assert.deepEqual(Array.from(fromFile.cutout.mask.data), [0, 0, 255]);
});
