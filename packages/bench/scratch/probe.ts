import { loadAtlas } from '../../dataset/src/atlas-file.ts';
import { renderSample } from '../../dataset/src/sample.ts';
import { splitIdentityIndices } from '../../dataset/src/heldout.ts';
import { cutoutOf } from '../src/eval/template.ts';
import { localise, ImagePyramid } from '../src/eval/localise.ts';
import { silhouette, alignedCrop, cutoutCrop, identitySimilarity } from '../src/eval/identity.ts';
import { iou } from '../src/eval/box.ts';
import { visibleShare } from '../src/sets/make-set.ts';
import type { Raster } from '../src/image/raster.ts';

const t0 = Date.now();
const atlas = loadAtlas();
console.log('atlas', Date.now() - t0, 'ms', atlas.identities.length);
const held = new Set(atlas.heldout);
const pool = atlas.identities.map((x, i) => [x, i] as const).filter(([x]) => held.has(x.key)).map(([, i]) => i);
const ctx = { atlas, size: 128, refSize: 64, seed: 1, split: 'probe', pool, minLevel: 2, maxLevel: 6, sprites: new Map() };
let tr = 0, tl = 0; const ious: number[] = []; const sims: number[] = []; const imp: number[] = [];
const rows: number[][] = [];
const N = Number(process.argv[2] ?? 20);
for (let id = 0; id < N; id++) {
  let t = Date.now();
  const s = renderSample(ctx, id);
  tr += Date.now() - t;
  t = Date.now();
  const img: Raster = { width: 128, height: 128, channels: 3, data: s.target };
  const pyr = new ImagePyramid(img);
  const cuts = s.instances.map((inst) => cutoutOf({ width: 64, height: 64, channels: 4, data: inst.reference }, 32));
  s.instances.forEach((inst, j) => {
    const cut = cuts[j]!;
    const occ = 1 - visibleShare(inst.box, s.instances.filter((o) => o.z > inst.z).map((o) => o.box));
    const loc = localise(pyr, cut, inst.box);
    const v = iou(loc.box, inst.box);
    ious.push(v);
    const sim = identitySimilarity(cutoutCrop(cut), alignedCrop(img, cut, loc.placement));
    sims.push(sim.similarity); rows.push([1, sim.ncc, sim.hist, sim.hog, sim.cell, sim.layout, silhouette(img, cut, loc.placement), iou(loc.box, inst.box), occ, v, inst.mask.reduce((a, b) => a + (b ? 1 : 0), 0) / ((inst.box[2]-inst.box[0])*(inst.box[3]-inst.box[1]))]);
    // impostor: another instance's reference at this box
    const other = cuts[(j + 1) % cuts.length]!;
    const l2 = localise(pyr, other, inst.box);
    const s2 = identitySimilarity(cutoutCrop(other), alignedCrop(img, other, l2.placement));
    imp.push(s2.similarity); rows.push([0, s2.ncc, s2.hist, s2.hog, s2.cell, s2.layout, silhouette(img, other, l2.placement), iou(l2.box, inst.box), occ, inst.identity, s.instances[(j + 1) % cuts.length]!.identity]);
    const vis = inst.mask.reduce((a, b) => a + (b ? 1 : 0), 0) / ((inst.box[2]-inst.box[0])*(inst.box[3]-inst.box[1]));
    if (process.env.VERBOSE && (v < 0.7 || sim.similarity < 50)) console.log(id, j, inst.identity, 'iou', v.toFixed(2), 'score', loc.score.toFixed(2), 'sim', sim.similarity.toFixed(1), sim.ncc.toFixed(2), sim.hist.toFixed(2), sim.hog.toFixed(2), 'vis', vis.toFixed(2), 'box', inst.box.join(','), 'found', loc.box.join(','));
  });
  tl += Date.now() - t;
}
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))]!;
console.log('render ms/sample', (tr / N).toFixed(1), 'eval ms/instance', (tl / ious.length / 2).toFixed(1));
console.log('mIoU', mean(ious).toFixed(3), 'genuine sim mean', mean(sims).toFixed(1), 'p5', q(sims, 0.05).toFixed(1), 'impostor mean', mean(imp).toFixed(1), 'p95', q(imp, 0.95).toFixed(1));

import { writeFileSync } from 'node:fs';
writeFileSync('/tmp/idrows.json', JSON.stringify(rows));
