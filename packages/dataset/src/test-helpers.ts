/** Shared fixtures of the dataset tests: the cached atlas and a render context. */
import type { Atlas } from './atlas.ts';
import { loadAtlas } from './atlas-file.ts';
import { splitIdentityIndices } from './heldout.ts';
import type { Split } from './heldout.ts';
import type { RenderContext } from './sample.ts';

let cached: Atlas | null = null;

export function testAtlas(): Atlas {
  cached ??= loadAtlas();
  return cached;
}

export function testContext(
  overrides: Partial<Omit<RenderContext, 'atlas' | 'pool' | 'sprites'>> & { split?: Split } = {},
): RenderContext {
  const atlas = testAtlas();
  const split = overrides.split ?? 'train';
  return {
    atlas,
    size: 128,
    refSize: 64,
    seed: 0,
    minLevel: 1,
    maxLevel: 8,
    ...overrides,
    split,
    pool: splitIdentityIndices(atlas.identities, new Set(atlas.heldout), split),
    sprites: new Map(),
  };
}
