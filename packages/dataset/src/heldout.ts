/**
 * The held-out identities: a fixed ~15% that never appear in training samples. Rule: within
 * each category, in sort order, identity i (0-based) is held out when
 * floor((i + 1) * 0.15) > floor(i * 0.15), which spreads exactly floor(n * 0.15) picks evenly
 * over every category. The result is committed as packages/dataset/heldout.json and a test
 * checks that the file still matches the rule.
 */
import type { Identity } from './identities.ts';

export const HELDOUT_FRACTION = 0.15;

export function chooseHeldout(identities: readonly Identity[]): string[] {
  const seenPerCategory = new Map<string, number>();
  const held: string[] = [];
  for (const identity of identities) {
    const i = seenPerCategory.get(identity.category) ?? 0;
    seenPerCategory.set(identity.category, i + 1);
    if (Math.floor((i + 1) * HELDOUT_FRACTION) > Math.floor(i * HELDOUT_FRACTION))
      held.push(identity.key);
  }
  return held;
}

export type Split = 'train' | 'heldout';

/** Identity indices (into `identities`) that a split may use. */
export function splitIdentityIndices(
  identities: readonly Pick<Identity, 'key'>[],
  heldoutKeys: ReadonlySet<string>,
  split: Split,
): number[] {
  const out: number[] = [];
  identities.forEach((identity, index) => {
    if (heldoutKeys.has(identity.key) === (split === 'heldout')) out.push(index);
  });
  return out;
}
