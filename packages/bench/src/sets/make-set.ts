/**
 * Selects a bench set's cases: for each level, renderer sample ids 0, 1, 2, ... (fixed render
 * seed and split, identities from the set's pool) are rendered and kept when every instance
 * stays mostly visible: at most `maxOccluded` of its box may lie under the boxes of nearer
 * instances. The first `count` kept ids form the level. Deterministic.
 */
import type { Box } from '../eval/box.ts';
import type { BenchCase, BenchSet } from './bench-set.ts';
import type { CaseRenderer } from './render-case.ts';
import { toRendered } from './render-case.ts';
import { mix32 } from '@contextgen/dataset';

export interface LevelSpec {
  readonly level: number;
  readonly count: number;
}

/** Share of box `b` not covered by any of `above` (1 px grid). */
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

/** Largest share of any instance's box hidden under nearer instances' boxes. */
export function worstOcclusion(boxes: readonly Box[], z: readonly number[]): number {
  let worst = 0;
  boxes.forEach((b, j) => {
    const above = boxes.filter((_, k) => z[k]! > z[j]!);
    worst = Math.max(worst, 1 - visibleShare(b, above));
  });
  return worst;
}

export function selectCases(
  renderer: CaseRenderer,
  set: Pick<BenchSet, 'name' | 'render'>,
  levels: readonly LevelSpec[],
  maxOccluded: number,
  onCase?: () => void,
): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const spec of levels) {
    let kept = 0;
    for (let sampleId = 0; kept < spec.count; sampleId++) {
      if (sampleId > spec.count * 50) {
        throw new Error(
          `level ${spec.level}: only ${kept} of ${spec.count} samples pass maxOccluded ${maxOccluded}; raise maxOccluded`,
        );
      }
      const r = toRendered(
        renderer.sample(spec.level, sampleId),
        set.render.size,
        set.render.refSize,
      );
      if (worstOcclusion(r.boxes, r.z) > maxOccluded) continue;
      cases.push({
        id: `${set.name}-L${spec.level}-${String(kept).padStart(3, '0')}`,
        level: spec.level,
        sampleId,
        seed: mix32(mix32(set.render.seed, spec.level), sampleId),
        scene: r.scene,
        caption: r.caption,
        instances: r.identities.map((identity, j) => ({
          identity,
          box: [...r.boxes[j]!] as [number, number, number, number],
        })),
      });
      kept++;
      onCase?.();
    }
  }
  return cases;
}
