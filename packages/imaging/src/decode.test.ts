import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImageBuffer, decodeImageFile } from './decode.ts';
import { encodePng, writePng } from './encode.ts';
import { ImageInputError } from './errors.ts';
import { paintImage } from './synthetic.test-util.ts';

const dir = await mkdtemp(join(tmpdir(), 'cg-imaging-'));
const img = paintImage(12, 8, (x, y) => [x * 20, y * 30, 100]);

test('a PNG written by writePng decodes to the same pixels, with alpha kept', async () => {
  const withAlpha = { ...img, data: img.data.slice() };
  withAlpha.data[3] = 0;
  const path = join(dir, 'nested', 'a.png');
  await writePng(path, withAlpha);
  const decoded = await decodeImageFile(path);
  assert.equal(decoded.format, 'png');
  assert.equal(decoded.hasAlpha, true);
  assert.equal(decoded.image.width, 12);
  assert.equal(decoded.image.height, 8);
  assert.deepEqual([...decoded.image.data], [...withAlpha.data]);
});

test('JPEG and WebP decode to RGBA with opaque alpha; JPEG reports no alpha', async () => {
  const raw = { raw: { width: 12, height: 8, channels: 4 as const } };
  const jpeg = await sharp(img.data, raw).jpeg({ quality: 95 }).toBuffer();
  const d = await decodeImageBuffer(jpeg, 'x.jpg');
  assert.equal(d.format, 'jpeg');
  assert.equal(d.hasAlpha, false);
  assert.equal(d.image.data.length, 12 * 8 * 4);
  assert.equal(d.image.data[3], 255);
  assert.ok(Math.abs(d.image.data[4 * 5]! - 100) < 12, 'pixel (5,0) red ~ 100');
  const webp = await sharp(img.data, raw).webp({ lossless: true }).toBuffer();
  const w = await decodeImageBuffer(webp, 'x.webp');
  assert.equal(w.format, 'webp');
  assert.deepEqual([...w.image.data.slice(0, 8)], [...img.data.slice(0, 8)]);
});

test('a greyscale PNG decodes to 4-channel RGBA', async () => {
  const grey = await sharp(Buffer.alloc(6 * 4, 77), { raw: { width: 6, height: 4, channels: 1 } })
    .png()
    .toBuffer();
  const d = await decodeImageBuffer(grey, 'grey.png');
  assert.deepEqual([...d.image.data.slice(0, 4)], [77, 77, 77, 255]);
});

test('an unsupported format names the file, the format and the fix', async () => {
  const gif = await sharp(img.data, { raw: { width: 12, height: 8, channels: 4 } })
    .gif()
    .toBuffer();
  const path = join(dir, 'anim.gif');
  await writeFile(path, gif);
  await assert.rejects(decodeImageFile(path), (err: Error) => {
    assert.ok(err instanceof ImageInputError);
    assert.match(
      err.message,
      /anim\.gif: unsupported image format "gif"; convert it to PNG, JPEG or WebP/,
    );
    return true;
  });
});

test('a file that is not an image, an empty file and a missing file give clear errors', async () => {
  const txt = join(dir, 'notes.png');
  await writeFile(txt, 'hello, not an image');
  await assert.rejects(decodeImageFile(txt), /notes\.png: not a readable image/);
  const empty = join(dir, 'empty.png');
  await writeFile(empty, '');
  await assert.rejects(decodeImageFile(empty), /empty\.png: the file is empty/);
  await assert.rejects(
    decodeImageFile(join(dir, 'missing.png')),
    /missing\.png: file not found; check the path/,
  );
  await assert.rejects(decodeImageFile(dir), /is not a file/);
});

test('images over the pixel limit are refused before decoding, stating size and limit', async () => {
  const png = await encodePng(paintImage(300, 200, () => [1, 2, 3]));
  await assert.rejects(
    decodeImageBuffer(png, 'big.png', { maxPixels: 50_000, maxBytes: 1e9 }),
    /big\.png: the image is 300x200 \(0\.06 megapixels\), over the 0\.05 megapixels limit; downscale it first/,
  );
});

test('files over the size limit are refused before reading', async () => {
  const path = join(dir, 'heavy.png');
  await writeFile(path, await encodePng(img));
  await assert.rejects(
    decodeImageFile(path, { maxPixels: 1e9, maxBytes: 10 }),
    /heavy\.png: the file is 0\.0 MiB, over the 0\.0 MiB limit/,
  );
});
