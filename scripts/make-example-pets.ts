/**
 * Rebuilds examples/pets/*.png from the Noto emoji of emoji-datasource-google: two references
 * keep their alpha (used as mask), two are flattened onto a plain light background without
 * alpha, so the automatic cutout is exercised.
 * Run: npx tsx scripts/make-example-pets.ts
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
const emojiDir = join(
  dirname(require.resolve('emoji-datasource-google/package.json')),
  'img',
  'google',
  '64',
);
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'pets');

const PETS = [
  { file: 'cat.png', emoji: '1f431.png', background: null },
  { file: 'dog.png', emoji: '1f436.png', background: { r: 244, g: 241, b: 232 } },
  { file: 'rabbit.png', emoji: '1f430.png', background: { r: 226, g: 236, b: 246 } },
  { file: 'panda.png', emoji: '1f43c.png', background: null },
] as const;

for (const pet of PETS) {
  const src = sharp(join(emojiDir, pet.emoji));
  const img = pet.background
    ? src
        .flatten({ background: pet.background })
        .extend({ top: 8, bottom: 8, left: 8, right: 8, background: pet.background })
        .removeAlpha()
    : src;
  await img.png().toFile(join(outDir, pet.file));
  console.log(`${pet.file}: ${pet.background ? 'no alpha, plain background' : 'with alpha'}`);
}
