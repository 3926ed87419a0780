import { writeFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { loadAtlas } from '@contextgen/dataset';
import { loadSet } from '../src/sets/set-files.ts';
import { CaseRenderer, renderSwapped } from '../src/sets/render-case.ts';
const atlas = loadAtlas();
const set = loadSet(process.env.SET ?? "calibration");
const r = new CaseRenderer(atlas, set);
const W = 128 * 2, H = 128 * 4;
const out = new Uint8Array(W * H * 3);
for (let k = 0; k < 4 && process.argv[2 + k]; k++) {
  const c = set.cases.find((x) => x.id === process.argv[2 + k])!; if (!c) throw new Error("no " + process.argv[2 + k]);
  const a = c.sampleId % c.instances.length, b = (a + 1) % c.instances.length;
  const base = r.render(c);
  const sw = renderSwapped(r, c, a, b);
  console.log(c.id, c.instances[a]!.identity, c.instances[b]!.identity, c.instances[a]!.box, c.instances[b]!.box);
  for (const [col, img] of [[0, base.target], [1, sw.target]] as const)
    for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) for (let ch = 0; ch < 3; ch++) out[((k * 128 + y) * W + col * 128 + x) * 3 + ch] = img.data[(y * 128 + x) * 3 + ch]!;
}
writeFileSync('/tmp/swap.png', encode({ width: W, height: H, data: out, channels: 3 }));
