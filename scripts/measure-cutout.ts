/**
 * How well the automatic cutout recovers the example references that were flattened onto a plain
 * background (examples/pets, built by scripts/make-example-pets.ts): IoU of the cutout mask with
 * the original emoji alpha, counted at alpha >= 128 (the solid subject) and alpha > 0 (soft edges too).
 * Run: npx tsx scripts/measure-cutout.ts
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { autoCutout, decodeImageFile } from '@contextgen/imaging';
import { REPO_ROOT } from '@contextgen/runtime';

const EMOJI = join(REPO_ROOT, 'node_modules', 'emoji-datasource-google', 'img', 'google', '64');
const PAD = 8; // make-example-pets.ts extends each flattened emoji by 8 px on every side

for (const [file, emoji] of [
  ['dog.png', '1f436.png'],
  ['rabbit.png', '1f430.png'],
] as const) {
  const { image } = await decodeImageFile(join(REPO_ROOT, 'examples', 'pets', file));
  const mask = autoCutout(image).mask;
  const truth = await sharp(join(EMOJI, emoji))
    .ensureAlpha()
    .extend({
      top: PAD,
      bottom: PAD,
      left: PAD,
      right: PAD,
      background: { r: 0, g: 0, b: 0, alpha: 0 },
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (truth.info.width !== mask.width || truth.info.height !== mask.height)
    throw new Error(
      `${file}: ${mask.width}x${mask.height} does not match the emoji (${truth.info.width}x${truth.info.height})`,
    );
  const iou = (inside: (alpha: number) => boolean): string => {
    let inter = 0;
    let union = 0;
    for (let i = 0; i < mask.data.length; i++) {
      const a = mask.data[i]! > 0;
      const b = inside(truth.data[i * 4 + 3]!);
      if (a && b) inter++;
      if (a || b) union++;
    }
    return (inter / union).toFixed(3);
  };
  console.log(
    `${file}: IoU ${iou((a) => a >= 128)} (alpha >= 128), ${iou((a) => a > 0)} (alpha > 0)`,
  );
}
