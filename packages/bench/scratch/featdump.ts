import { writeFileSync } from 'node:fs';
import { loadAtlas } from '@contextgen/dataset';
import { loadSet } from '../src/sets/set-files.ts';
import { CaseRenderer, firstCleanSwap } from '../src/sets/render-case.ts';
import { ImagePyramid, localise, DEFAULT_LOCALISE } from '../src/eval/localise.ts';
import { cutoutOf } from '../src/eval/template.ts';
import { alignedCrop, cutoutCrop, identityFeatures } from '../src/eval/identity.ts';
import { iou } from '../src/eval/box.ts';
import type { Raster } from '../src/image/raster.ts';
import type { Box } from '../src/eval/box.ts';
const atlas = loadAtlas();
const set = loadSet(process.argv[2]!);
const step = Number(process.argv[3] ?? 1);
const r = new CaseRenderer(atlas, set);
const rows: number[][] = [];
let clean = 0, tried = 0;
function feats(pyr: ImagePyramid, ref: Raster, box: Box): number[] {
  const cut = cutoutOf(ref, 32);
  const loc = localise(pyr, cut, box, DEFAULT_LOCALISE);
  const f = identityFeatures(cutoutCrop(cut), alignedCrop(pyr.image, cut, loc.placement));
  return [...f, iou(loc.box, box), loc.score];
}
set.cases.forEach((c, i) => {
  if (i % step) return;
  const base = r.render(c);
  const p0 = new ImagePyramid(base.target);
  base.boxes.forEach((b, j) => rows.push([1, ...feats(p0, base.references[j]!, b), i, j]));
  tried++;
  const sw = firstCleanSwap(r, c);
  if (!sw) return;
  clean++;
  const p1 = new ImagePyramid(sw.image.target);
  for (const j of sw.pair) rows.push([0, ...feats(p1, base.references[j]!, base.boxes[j]!), i, j]);
});
console.log('clean swaps', clean, 'of', tried);
writeFileSync(`/tmp/feat-${process.argv[2]}.json`, JSON.stringify(rows));
