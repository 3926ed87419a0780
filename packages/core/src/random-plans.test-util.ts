/** Seeded random plan inputs for property tests. */
import { createRng } from './noise.ts';
import type { PlanInput } from './token-plan.ts';
import type { PixelBox } from './types.ts';

export function randomPlanInput(seed: number): PlanInput {
  const rng = createRng(seed);
  const int = (lo: number, hi: number): number => lo + (rng.nextUint32() % (hi - lo + 1));
  const P = [4, 8][int(0, 1)]!;
  const width = P * int(1, 6);
  const height = P * int(1, 6);
  const k = int(0, 5);
  const boxes: PixelBox[] = [];
  const phraseTokens: number[] = [];
  const refGrids: PlanInput['refGrids'][number][] = [];
  for (let j = 0; j < k; j++) {
    const x1 = int(0, width - 1);
    const y1 = int(0, height - 1);
    boxes.push([x1, y1, int(x1 + 1, width), int(y1 + 1, height)]);
    phraseTokens.push(int(0, 2) === 0 ? 0 : int(1, 3));
    if (int(0, 3) === 0) refGrids.push(null);
    else {
      const h = int(1, 3);
      const w = int(1, 3);
      refGrids.push({
        h,
        w,
        valid: Array.from({ length: h * w }, () => (int(0, 3) === 0 ? 0 : 1)),
      });
    }
  }
  return { width, height, tokenSize: P, textTokens: int(1, 4), phraseTokens, boxes, refGrids };
}
