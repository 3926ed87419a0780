/**
 * The labelled cutout evaluation set (packages/imaging/eval/cutout-set/README.md): three
 * scikit-image sample photographs (public domain / CC0) with committed true masks, and
 * composites of their subjects (true alpha = the mask) on plain studio white and on CC0 textures,
 * including a head-and-shoulders crop that touches three borders.
 *
 * The photographs are read from the scikit-image wheel, fetched once with
 * `pip download --no-deps` into `.cache/cutout-set/` (ignored); nothing else is downloaded.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Mask, RgbaImage } from '@contextgen/core';
import { REPO_ROOT } from '@contextgen/runtime';

export type Category = 'people' | 'animals' | 'objects';

export interface CutoutItem {
  readonly name: string;
  readonly category: Category;
  readonly image: RgbaImage;
  /** 0/255 true mask, same size as the image. */
  readonly truth: Mask;
}

const SKIMAGE = { version: '0.26.0', python: '3.11', platform: 'manylinux_2_28_x86_64' };
const FILES = [
  'astronaut.png',
  'chelsea.png',
  'coffee.png',
  'brick.png',
  'grass.png',
  'gravel.png',
];
const LABELS = join(REPO_ROOT, 'packages', 'imaging', 'eval', 'cutout-set');
const CACHE = join(REPO_ROOT, '.cache', 'cutout-set');

/** The scikit-image sample files, extracted from its wheel on first use. */
async function skimageData(): Promise<string> {
  const dir = join(CACHE, `skimage-${SKIMAGE.version}`);
  if (FILES.every((f) => existsSync(join(dir, f)))) return dir;
  await mkdir(dir, { recursive: true });
  const py = existsSync(join(REPO_ROOT, '.venv', 'bin', 'python'))
    ? join(REPO_ROOT, '.venv', 'bin', 'python')
    : 'python3';
  const args = ['download', '--no-deps', '--only-binary=:all:', '--python-version'];
  execFileSync(
    py,
    ['-m', 'pip', ...args, SKIMAGE.python, '--platform', SKIMAGE.platform, '-d', CACHE].concat([
      `scikit-image==${SKIMAGE.version}`,
    ]),
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const extract = `import sys, zipfile, glob, os
w = glob.glob(os.path.join(sys.argv[1], 'scikit_image-${SKIMAGE.version}-*.whl'))[0]
z = zipfile.ZipFile(w)
for f in sys.argv[3:]:
    open(os.path.join(sys.argv[2], f), 'wb').write(z.read('skimage/data/' + f))`;
  execFileSync(py, ['-c', extract, CACHE, dir, ...FILES], { stdio: 'inherit' });
  return dir;
}

async function readRgba(path: string): Promise<RgbaImage> {
  const { data, info } = await sharp(path)
    .removeAlpha()
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
}

async function readMask(path: string): Promise<Mask> {
  const { data, info } = await sharp(path)
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const bin = new Uint8Array(info.width * info.height);
  for (let i = 0; i < bin.length; i++) bin[i] = data[i]! >= 128 ? 255 : 0;
  return { width: info.width, height: info.height, data: bin };
}

/** Studio white: a faint vertical grey gradient, 250 at the top to 236 at the bottom. */
function studioWhite(w: number, h: number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const v = 250 - (14 * y) / Math.max(1, h - 1);
    for (let x = 0; x < w; x++) data.set([v, v, v - 2, 255], (y * w + x) * 4);
  }
  return { width: w, height: h, data };
}

/** `subject` (with its mask, scaled by `scale`) pasted at (dx, dy) on `bg`; hard-edged. */
async function composite(
  subject: RgbaImage,
  mask: Mask,
  bg: RgbaImage,
  scale: number,
  dx: number,
  dy: number,
): Promise<{ image: RgbaImage; truth: Mask }> {
  const sw = Math.round(subject.width * scale);
  const sh = Math.round(subject.height * scale);
  const raw = (img: RgbaImage | Mask, ch: 1 | 4) =>
    sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
      raw: { width: img.width, height: img.height, channels: ch },
    });
  const rgb = await raw(subject, 4).resize(sw, sh, { fit: 'fill' }).raw().toBuffer();
  const alpha = await raw(mask, 1)
    .resize(sw, sh, { fit: 'fill' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const out = new Uint8ClampedArray(bg.data);
  const truth = new Uint8Array(bg.width * bg.height);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const tx = x + dx;
      const ty = y + dy;
      if (tx < 0 || ty < 0 || tx >= bg.width || ty >= bg.height || alpha[y * sw + x]! < 128)
        continue;
      const t = ty * bg.width + tx;
      out.set(rgb.subarray((y * sw + x) * 4, (y * sw + x) * 4 + 3), t * 4);
      truth[t] = 255;
    }
  }
  return {
    image: { width: bg.width, height: bg.height, data: out },
    truth: { width: bg.width, height: bg.height, data: truth },
  };
}

function crop(
  item: { image: RgbaImage; truth: Mask },
  left: number,
  top: number,
  w: number,
  h: number,
): { image: RgbaImage; truth: Mask } {
  const data = new Uint8ClampedArray(w * h * 4);
  const truth = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const s = (top + y) * item.image.width + left;
    data.set(item.image.data.subarray(s * 4, (s + w) * 4), y * w * 4);
    truth.set(item.truth.data.subarray(s, s + w), y * w);
  }
  return { image: { width: w, height: h, data }, truth: { width: w, height: h, data: truth } };
}

async function texture(dir: string, file: string, w: number, h: number): Promise<RgbaImage> {
  const { data, info } = await sharp(join(dir, file))
    .removeAlpha()
    .resize(w, h, { fit: 'cover' })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
}

/** Every item of the set, built in memory (a few MB). */
export async function loadCutoutSet(): Promise<CutoutItem[]> {
  const dir = await skimageData();
  const photo = async (name: string) => ({
    image: await readRgba(join(dir, `${name}.png`)),
    truth: await readMask(join(LABELS, `${name}.mask.png`)),
  });
  const astronaut = await photo('astronaut');
  const chelsea = await photo('chelsea');
  const coffee = await photo('coffee');
  const onWhite = (p: { image: RgbaImage; truth: Mask }) =>
    composite(p.image, p.truth, studioWhite(p.image.width, p.image.height), 1, 0, 0);
  const astronautWhite = await onWhite(astronaut);
  const items: [string, Category, { image: RgbaImage; truth: Mask }][] = [
    ['astronaut (photo)', 'people', astronaut],
    ['astronaut on white', 'people', astronautWhite],
    [
      'astronaut head+shoulders on white (3 borders)',
      'people',
      crop(astronautWhite, 120, 0, 210, 290),
    ],
    [
      'astronaut 60 % on white',
      'people',
      await composite(astronaut.image, astronaut.truth, studioWhite(512, 512), 0.6, 100, 205),
    ],
    [
      'astronaut on brick',
      'people',
      await composite(
        astronaut.image,
        astronaut.truth,
        await texture(dir, 'brick.png', 512, 512),
        1,
        0,
        0,
      ),
    ],
    ['chelsea (photo)', 'animals', chelsea],
    ['chelsea on white', 'animals', await onWhite(chelsea)],
    [
      'chelsea 60 % on grass',
      'animals',
      await composite(
        chelsea.image,
        chelsea.truth,
        await texture(dir, 'grass.png', 451, 300),
        0.6,
        90,
        60,
      ),
    ],
    ['coffee (photo)', 'objects', coffee],
    ['coffee on white', 'objects', await onWhite(coffee)],
    [
      'coffee 60 % on gravel',
      'objects',
      await composite(
        coffee.image,
        coffee.truth,
        await texture(dir, 'gravel.png', 600, 400),
        0.6,
        120,
        80,
      ),
    ],
  ];
  return items.map(([name, category, p]) => ({ name, category, image: p.image, truth: p.truth }));
}
