import { writeFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { loadAtlas } from '../../dataset/src/atlas-file.ts';
import { renderSample } from '../../dataset/src/sample.ts';
import { cutoutOf } from '../src/eval/template.ts';
import { localise, ImagePyramid } from '../src/eval/localise.ts';
import { alignedCrop, cutoutCrop, identitySimilarity } from '../src/eval/identity.ts';
import { iou } from '../src/eval/box.ts';
import type { Raster } from '../src/image/raster.ts';
const atlas = loadAtlas();
const held = new Set(atlas.heldout);
const pool = atlas.identities.map((x, i) => [x, i] as const).filter(([x]) => held.has(x.key)).map(([, i]) => i);
const ctx = { atlas, size: 128, refSize: 64, seed: 1, split: 'probe', pool, minLevel: 2, maxLevel: 6, sprites: new Map() };
let k = 0;
for (let id = 0; id < 40 && k < 8; id++) {
  const s = renderSample(ctx, id);
  const img: Raster = { width: 128, height: 128, channels: 3, data: s.target };
  const pyr = new ImagePyramid(img);
  s.instances.forEach((inst, j) => {
    const ref = { width: 64, height: 64, channels: 4 as const, data: inst.reference };
    const cut = cutoutOf(ref, 32);
    const loc = localise(pyr, cut, inst.box);
    const al = alignedCrop(img, cut, loc.placement);
    const sim = identitySimilarity(cutoutCrop(cut), al);
    const vis = inst.mask.reduce((a, b) => a + (b ? 1 : 0), 0) / ((inst.box[2]-inst.box[0])*(inst.box[3]-inst.box[1]));
    if (sim.ncc < 0.5 && vis > 0.5 && k < 8) {
      k++;
      // canvas: target 128 with boxes | ref 64 | aligned crop scaled
      const W = 128 + 64 + 64, H = 128;
      const out = new Uint8Array(W * H * 3).fill(255);
      for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) for (let c = 0; c < 3; c++) out[(y * W + x) * 3 + c] = s.target[(y * 128 + x) * 3 + c]!;
      const rect = (b: readonly number[], col: number[]) => { for (let x = b[0]!; x < b[2]!; x++) for (const y of [b[1]!, b[3]! - 1]) if (x>=0&&x<128&&y>=0&&y<128) for (let c = 0; c < 3; c++) out[(y * W + x) * 3 + c] = col[c]!; for (let y = b[1]!; y < b[3]!; y++) for (const x of [b[0]!, b[2]! - 1]) if (x>=0&&x<128&&y>=0&&y<128) for (let c = 0; c < 3; c++) out[(y * W + x) * 3 + c] = col[c]!; };
      rect(inst.box, [0, 255, 0]); rect(loc.box, [255, 0, 0]);
      for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) for (let c = 0; c < 3; c++) out[(y * W + 128 + x) * 3 + c] = inst.reference[(y * 64 + x) * 4 + c]!;
      for (let y = 0; y < al.height; y++) for (let x = 0; x < al.width; x++) for (let c = 0; c < 3; c++) out[((64 + y) * W + 128 + x) * 3 + c] = al.rgb[(y * al.width + x) * 3 + c]!;
      const cd = cut.image.data;
      for (let y = 0; y < cut.image.height; y++) for (let x = 0; x < cut.image.width; x++) for (let c = 0; c < 3; c++) out[((64 + y) * W + 192 + x) * 3 + c] = cd[(y * cut.image.width + x) * 4 + c]!;
      writeFileSync(`/tmp/look-${k}.png`, encode({ width: W, height: H, data: out, channels: 3 }));
      console.log(k, id, inst.identity, 'iou', iou(loc.box, inst.box).toFixed(2), sim, loc.placement);
    }
  });
}
