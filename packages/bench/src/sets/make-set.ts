/**
 * Draws a bench set's cases from a seed: per level, cases with that many instances, distinct
 * identities, a scene, and boxes placed so every instance stays mostly visible (each box keeps
 * at least `minVisible` of its area uncovered by the boxes painted after it, and no two boxes
 * overlap by more than `maxIou`). Pure: the same inputs give the same cases.
 */
import type { BenchCase } from './bench-set.ts';
import type { Box } from '../eval/box.ts';
import { iou } from '../eval/box.ts';
import { SeededRandom } from './seeded-random.ts';

export interface LevelSpec {
  readonly level: number;
  readonly count: number;
  /** Box side range in pixels (geometric mean of width and height). */
  readonly side: readonly [number, number];
}

export interface MakeSetInput {
  readonly name: string;
  readonly seed: number;
  readonly size: number;
  readonly levels: readonly LevelSpec[];
  readonly identities: readonly string[];
  readonly scenes: readonly string[];
  readonly minVisible?: number;
  readonly maxIou?: number;
}

/** Share of box `b` not covered by any of `above` (grid estimate at 1 px). */
export function visibleShare(b: Box, above: readonly Box[]): number {
  let total = 0;
  let free = 0;
  for (let y = Math.floor(b[1]); y < Math.ceil(b[3]); y++) {
    for (let x = Math.floor(b[0]); x < Math.ceil(b[2]); x++) {
      total++;
      const px = x + 0.5;
      const py = y + 0.5;
      if (!above.some((a) => px >= a[0] && px < a[2] && py >= a[1] && py < a[3])) free++;
    }
  }
  return total > 0 ? free / total : 0;
}

function drawBoxes(rng: SeededRandom, n: number, size: number, side: readonly [number, number], minVisible: number, maxIou: number): Box[] | null {
  const boxes: Box[] = [];
  for (let i = 0; i < n; i++) {
    let placed = false;
    for (let attempt = 0; attempt < 200 && !placed; attempt++) {
      const s = rng.range(side[0], side[1]);
      const aspect = Math.exp(rng.range(-0.3, 0.3));
      const w = Math.min(size - 2, Math.round(s * Math.sqrt(aspect)));
      const h = Math.min(size - 2, Math.round(s / Math.sqrt(aspect)));
      const x1 = rng.int(1, size - 1 - w);
      const y1 = rng.int(1, size - 1 - h);
      const b: Box = [x1, y1, x1 + w, y1 + h];
      if (boxes.some((o) => iou(o, b) > maxIou)) continue;
      // Painting order is list order: b goes on top of every earlier box.
      const all = [...boxes, b];
      const ok = all.every((o, j) => visibleShare(o, all.slice(j + 1)) >= minVisible);
      if (!ok) continue;
      boxes.push(b);
      placed = true;
    }
    if (!placed) return null;
  }
  return boxes;
}

export function makeSetCases(input: MakeSetInput): BenchCase[] {
  const minVisible = input.minVisible ?? 0.6;
  const maxIou = input.maxIou ?? 0.25;
  const rng = new SeededRandom(input.seed);
  const cases: BenchCase[] = [];
  for (const spec of input.levels) {
    if (spec.level > input.identities.length) {
      throw new Error(`level ${spec.level} needs ${spec.level} distinct identities, only ${input.identities.length} given`);
    }
    for (let k = 0; k < spec.count; k++) {
      let boxes: Box[] | null = null;
      for (let tries = 0; !boxes; tries++) {
        if (tries > 1000) throw new Error(`could not place ${spec.level} boxes of side ${spec.side.join('-')} in ${input.size}px`);
        boxes = drawBoxes(rng, spec.level, input.size, spec.side, minVisible, maxIou);
      }
      const ids = rng.sample(input.identities, spec.level);
      cases.push({
        id: `${input.name}-L${spec.level}-${String(k).padStart(3, '0')}`,
        level: spec.level,
        scene: rng.pick(input.scenes),
        seed: rng.u32(),
        instances: boxes.map((box, j) => ({ identity: ids[j]!, box: [...box] as [number, number, number, number] })),
      });
    }
  }
  return cases;
}
