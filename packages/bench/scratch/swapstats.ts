import { loadAtlas } from '@contextgen/dataset';
import { loadSet } from '../src/sets/set-files.ts';
import { CaseRenderer, renderSwapped } from '../src/sets/render-case.ts';
import { loadCalibration, scoreIdentity } from '../src/eval/evaluators.ts';
import { ImagePyramid } from '../src/eval/localise.ts';
import { iou } from '../src/eval/box.ts';
const atlas = loadAtlas();
const set = loadSet(process.argv[2] ?? 'calibration');
const cal = loadCalibration();
const r = new CaseRenderer(atlas, set);
const rows: unknown[] = [];
for (const c of set.cases.filter((_, i) => i % 5 === 0)) {
  const a = c.sampleId % c.instances.length, b = (a + 1) % c.instances.length;
  const base = r.render(c);
  const sw = renderSwapped(r, c, a, b);
  const p0 = new ImagePyramid(base.target), p1 = new ImagePyramid(sw.target);
  for (const j of [a, b]) {
    const g = scoreIdentity(p0, base.references[j]!, base.boxes[j]!, cal);
    const s = scoreIdentity(p1, base.references[j]!, base.boxes[j]!, cal);
    rows.push({ id: c.id, who: c.instances[j]!.identity, other: c.instances[j === a ? b : a]!.identity, g: g.similarity, s: s.similarity, gf: g.features, sf: s.features, boxIou: iou(base.boxes[a]!, base.boxes[b]!) });
  }
}
import { writeFileSync } from 'node:fs';
writeFileSync('/tmp/swaprows.json', JSON.stringify(rows));
