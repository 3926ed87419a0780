/**
 * Renders bench cases through the IMIG-Synth renderer (@contextgen/dataset) and converts a
 * rendered sample into bench rasters.
 */
import { renderSample } from '@contextgen/dataset';
import type { Atlas, RenderContext, Sample } from '@contextgen/dataset';
import type { Raster } from '../image/raster.ts';
import type { Box } from '../eval/box.ts';
import type { BenchCase, BenchSet } from './bench-set.ts';

export interface RenderedCase {
  readonly scene: string;
  readonly caption: string;
  readonly identities: readonly string[];
  readonly phrases: readonly string[];
  readonly boxes: readonly Box[];
  readonly z: readonly number[];
  readonly target: Raster;
  readonly layout: Raster;
  readonly references: readonly Raster[];
  readonly masks: readonly Raster[];
}

/**
 * One render context per (set, level): the renderer draws the level from [minLevel, maxLevel],
 * and the split gets a per-level suffix so levels do not share random streams.
 */
export class CaseRenderer {
  private readonly contexts = new Map<number, RenderContext>();
  private readonly sprites: RenderContext['sprites'] = new Map();
  private readonly pool: number[];
  constructor(
    readonly atlas: Atlas,
    readonly set: Pick<BenchSet, 'identities' | 'render'>,
  ) {
    const held = new Set(atlas.heldout);
    const wantHeld = set.identities === 'heldout';
    this.pool = [];
    atlas.identities.forEach((identity, index) => {
      if (held.has(identity.key) === wantHeld) this.pool.push(index);
    });
  }

  context(level: number): RenderContext {
    let ctx = this.contexts.get(level);
    if (!ctx) {
      const r = this.set.render;
      ctx = {
        atlas: this.atlas,
        size: r.size,
        refSize: r.refSize,
        seed: r.seed,
        split: `${r.split}/L${level}`,
        pool: this.pool,
        minLevel: level,
        maxLevel: level,
        sprites: this.sprites,
      };
      this.contexts.set(level, ctx);
    }
    return ctx;
  }

  /** Drops cached sprites (after the atlas pixels of these identities changed). */
  forget(indices: readonly number[]): void {
    for (const i of indices) this.sprites.delete(i);
  }

  sample(level: number, sampleId: number): Sample {
    return renderSample(this.context(level), sampleId);
  }

  /** Renders a case and checks it still matches its stored layout. */
  render(c: BenchCase): RenderedCase {
    const s = this.sample(c.level, c.sampleId);
    const r = toRendered(s, this.set.render.size, this.set.render.refSize);
    const same =
      r.scene === c.scene &&
      r.identities.length === c.instances.length &&
      c.instances.every(
        (inst, j) =>
          inst.identity === r.identities[j] && inst.box.every((v, k) => v === r.boxes[j]![k]),
      );
    if (!same) {
      throw new Error(
        `bench case ${c.id} no longer renders to its stored layout (the IMIG-Synth renderer changed); regenerate the sets with "npx tsx packages/bench/src/main.ts make-sets" and rerun the affected runs`,
      );
    }
    return r;
  }
}

/**
 * Renders a case with the pictures of instances `a` and `b` exchanged: the renderer draws
 * identity b where a was and a where b was (same scene, layout and random draws; the
 * sprites are exchanged in the atlas for the duration of the call). References and boxes of
 * the returned case are those of the unswapped case, as a benchmark would hand them over.
 * Returns null when the exchange is not clean: the renderer's placement depends a little on
 * sprite shapes, so sometimes its random draws diverge and the instances move; a swap counts
 * only when every other instance keeps its box and the two exchanged pictures sit where the
 * originals sat (centres within 15% of the box side).
 */
export function renderSwapped(
  renderer: CaseRenderer,
  c: BenchCase,
  a: number,
  b: number,
): RenderedCase | null {
  const base = renderer.render(c);
  const atlas = renderer.atlas;
  const index = (key: string) => atlas.identities.findIndex((i) => i.key === key);
  const ia = index(c.instances[a]!.identity);
  const ib = index(c.instances[b]!.identity);
  if (ia < 0 || ib < 0 || ia === ib) {
    throw new Error(
      `case ${c.id}: cannot swap instances ${a} and ${b} (identities missing from the atlas or equal)`,
    );
  }
  const n = atlas.size * atlas.size * 4;
  const swap = () => {
    const tmp = atlas.pixels.slice(ia * n, (ia + 1) * n);
    atlas.pixels.copyWithin(ia * n, ib * n, (ib + 1) * n);
    atlas.pixels.set(tmp, ib * n);
    renderer.forget([ia, ib]);
  };
  swap();
  let swapped: Sample;
  try {
    swapped = renderer.sample(c.level, c.sampleId);
  } finally {
    swap();
  }
  const keyOf = (j: number) => c.instances[j]!.identity;
  for (let j = 0; j < c.instances.length; j++) {
    const now = swapped.instances.find((i) => i.identity === keyOf(j))?.box;
    const was = base.boxes[j]!;
    if (!now) return null;
    if (j !== a && j !== b) {
      if (now.some((v, k) => v !== was[k])) return null;
      continue;
    }
    const side = Math.max(was[2] - was[0], was[3] - was[1]);
    const dx = (now[0] + now[2] - was[0] - was[2]) / 2;
    const dy = (now[1] + now[3] - was[1] - was[3]) / 2;
    if (Math.hypot(dx, dy) > 0.15 * side) return null;
  }
  return { ...base, target: { ...base.target, data: swapped.target } };
}

/**
 * The first clean swap among up to `tries` pairs, tried in a fixed order: (a, a+1), (a+1, a+2),
 * ... with a = sampleId mod n; null when none is clean.
 */
export function firstCleanSwap(
  renderer: CaseRenderer,
  c: BenchCase,
  tries = 4,
): { pair: [number, number]; image: RenderedCase } | null {
  const n = c.instances.length;
  if (n < 2) return null;
  for (let t = 0; t < Math.min(tries, n); t++) {
    const a = (c.sampleId + t) % n;
    const b = (a + 1) % n;
    const image = renderSwapped(renderer, c, a, b);
    if (image) return { pair: [a, b], image };
  }
  return null;
}

export function toRendered(s: Sample, size: number, refSize: number): RenderedCase {
  return {
    scene: s.scene,
    caption: s.caption,
    identities: s.instances.map((i) => i.identity),
    phrases: s.instances.map((i) => i.phrase),
    boxes: s.instances.map((i) => [...i.box] as unknown as Box),
    z: s.instances.map((i) => i.z),
    target: { width: size, height: size, channels: 3, data: s.target },
    layout: { width: size, height: size, channels: 3, data: s.layout },
    references: s.instances.map((i) => ({
      width: refSize,
      height: refSize,
      channels: 4 as const,
      data: i.reference,
    })),
    masks: s.instances.map((i) => ({
      width: size,
      height: size,
      channels: 1 as const,
      data: i.mask,
    })),
  };
}
