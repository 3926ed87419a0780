/**
 * A picture for the README: rows of ground truth | layout image | generated, for a few bench cases.
 * Run: npx tsx scripts/make-sample-grid.ts RUN_DIR GT_DIR LAYOUT_DIR -o docs/images/bench-samples.png [--cases a,b,c]
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string', short: 'o' },
    cases: { type: 'string' },
    scale: { type: 'string', default: '2' },
  },
});
const [runDir, gtDir, layoutDir] = positionals;
if (!runDir || !gtDir || !layoutDir || !values.out) {
  console.error(
    'usage: make-sample-grid.ts RUN_DIR GT_DIR LAYOUT_DIR -o out.png [--cases id1,id2]',
  );
  process.exit(2);
}
const names = values.cases
  ? values.cases.split(',').map((c) => `${c}.png`)
  : (await readdir(join(runDir, 'images')))
      .filter((f) => f.endsWith('.png'))
      .filter((_, i) => i % 20 === 0);
const scale = Number(values.scale);
const side = 128 * scale;
const pad = 6;
const tiles: OverlayOptions[] = [];
for (const [row, name] of names.entries()) {
  for (const [col, dir] of [gtDir, layoutDir, runDir].entries()) {
    const input = await sharp(join(dir, 'images', name))
      .resize(side, side, { kernel: 'nearest' })
      .png()
      .toBuffer();
    tiles.push({ input, left: pad + col * (side + pad), top: pad + row * (side + pad) });
  }
}
await sharp({
  create: {
    width: pad + 3 * (side + pad),
    height: pad + names.length * (side + pad),
    channels: 3,
    background: '#ffffff',
  },
})
  .composite(tiles)
  .png()
  .toFile(values.out);
console.log(`wrote ${values.out}: ${names.length} rows of ground truth | layout image | generated`);
