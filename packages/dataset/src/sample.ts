/**
 * One IMIG-Synth sample: scene background, 1-8 lit and shadowed instances in depth order,
 * a reference per instance (different pose and light, plain background, alpha = mask), the
 * layout image (core's composeLayout, DESIGN 2), visible masks, caption and phrases.
 * Everything derives from (seed, split, id): the same inputs give the same bytes.
 */
import { alphaToMask, composeLayout } from '@contextgen/core';
import type { LayoutInstance } from '@contextgen/core';
import type { Atlas } from './atlas.ts';
import { atlasImage } from './atlas.ts';
import { canvasToRgb, createCanvas, paintBackground, paintShadow } from './background.ts';
import { makeCaption } from './caption.ts';
import type { FloatCanvas } from './background.ts';
import type { Rng } from './rng.ts';
import { sampleRng } from './rng.ts';
import { SCENES } from './scenes.ts';
import type { Rgb } from './scenes.ts';
import { drawSprite, makeSprite, poseExtents } from './sprite.ts';
import type { Lighting, Pose, Sprite } from './sprite.ts';

export type Box = [number, number, number, number];

export interface SampleInstance {
  readonly identity: string;
  readonly name: string;
  readonly phrase: string;
  /** `[x1, y1, x2, y2]`, integer pixels, x2/y2 exclusive: tight box of the full instance. */
  readonly box: Box;
  /** Depth order: 0 is painted first (furthest back). */
  readonly z: number;
  /** R*R*4 RGBA, alpha = mask. */
  readonly reference: Uint8Array;
  /** S*S, 255 where this instance is visible in the target. */
  readonly mask: Uint8Array;
}

export interface Sample {
  readonly id: number;
  readonly scene: string;
  readonly level: number;
  readonly caption: string;
  readonly instances: SampleInstance[];
  /** S*S*3 RGB. */
  readonly target: Uint8Array;
  /** S*S*3 RGB, empty pixels 128. */
  readonly layout: Uint8Array;
}

export interface RenderContext {
  readonly atlas: Atlas;
  readonly size: number;
  readonly refSize: number;
  readonly seed: number;
  readonly split: string;
  /** Atlas indices this split may use. */
  readonly pool: readonly number[];
  readonly minLevel: number;
  readonly maxLevel: number;
  /** Lazily built mip chains, per atlas index. */
  readonly sprites: Map<number, Sprite>;
}

export const LAYOUT_EMPTY = 128;

function sprite(ctx: RenderContext, index: number): Sprite {
  let s = ctx.sprites.get(index);
  if (!s) {
    s = makeSprite(atlasImage(ctx.atlas, index), ctx.atlas.size);
    ctx.sprites.set(index, s);
  }
  return s;
}

function lightFrom(rng: Rng, base: Rgb, tintJitter: number, strength: [number, number]): Lighting {
  const brightness = rng.range(0.9, 1.08);
  const tint: Rgb = [
    base[0] * brightness * rng.range(1 - tintJitter, 1 + tintJitter),
    base[1] * brightness * rng.range(1 - tintJitter, 1 + tintJitter),
    base[2] * brightness * rng.range(1 - tintJitter, 1 + tintJitter),
  ];
  // Light from above, left or right.
  const angle = rng.range(-Math.PI * 0.9, -Math.PI * 0.1);
  return {
    tint,
    dirX: Math.cos(angle),
    dirY: Math.sin(angle),
    strength: rng.range(strength[0], strength[1]),
  };
}

function intersection(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

function boxArea(b: Box): number {
  return (b[2] - b[0]) * (b[3] - b[1]);
}

interface Placement {
  readonly index: number;
  readonly pose: Pose;
  readonly foot: number;
  readonly side: number;
  readonly predicted: Box;
}

/** Choose poses so boxes overlap at most partially; objects lower in the frame are nearer and larger. */
function placeInstances(
  ctx: RenderContext,
  rng: Rng,
  indices: readonly number[],
  horizon: number,
): Placement[] {
  const S = ctx.size;
  const L = indices.length;
  const placed: Placement[] = [];
  for (const index of indices) {
    const sp = sprite(ctx, index);
    const contentSide = Math.max(sp.content[2] - sp.content[0], sp.content[3] - sp.content[1]);
    const rotation = rng.range(-0.22, 0.22);
    const flip = rng.chance(0.5);
    const aspect = rng.range(0.88, 1.14);
    const sideFrac = rng.range(0.5, 0.8) / Math.sqrt(L);
    let best: Placement | null = null;
    let bestOverlap = Infinity;
    for (let attempt = 0; attempt < 24; attempt++) {
      const foot = rng.range(Math.min(horizon + 0.06 * S, S - 4), S - 1);
      const depth = 0.75 + 0.5 * ((foot - horizon) / Math.max(1, S - horizon));
      const side = Math.max(12 * (S / 128), Math.min(0.9 * S, sideFrac * S * depth, foot - 1));
      const pose0: Pose = { cx: 0, cy: 0, scale: side / contentSide, rotation, flip, aspect };
      const [ex, ey] = poseExtents(sp, pose0);
      const cx = rng.range(Math.min(ex + 1, S / 2), Math.max(S - ex - 1, S / 2));
      const cy = Math.max(ey + 1, foot - ey);
      const predicted: Box = [cx - ex, cy - ey, cx + ex, cy + ey];
      let worst = 0;
      for (const other of placed) {
        const inter = intersection(predicted, other.predicted);
        worst = Math.max(worst, inter / Math.min(boxArea(predicted), boxArea(other.predicted)));
      }
      if (worst < bestOverlap) {
        bestOverlap = worst;
        best = { index, pose: { ...pose0, cx, cy }, foot: cy + ey, side, predicted };
      }
      if (worst <= 0.35) break;
    }
    placed.push(best!);
  }
  return placed;
}

/** Per-thread scratch rasters for references (fully rewritten on every use). */
const refScratch = new Map<number, { canvas: FloatCanvas; coverage: Float32Array }>();

function referenceScratch(R: number): { canvas: FloatCanvas; coverage: Float32Array } {
  let s = refScratch.get(R);
  if (!s) {
    s = { canvas: createCanvas(R, R), coverage: new Float32Array(R * R) };
    refScratch.set(R, s);
  }
  return s;
}

const targetCanvases = new Map<number, FloatCanvas>();

/** Per-thread target canvas (paintBackground rewrites every pixel). */
function targetScratch(S: number): FloatCanvas {
  let c = targetCanvases.get(S);
  if (!c) {
    c = createCanvas(S, S);
    targetCanvases.set(S, c);
  }
  return c;
}

/** Reference rendering: the same identity with a different pose and light on a plain background. */
function renderReference(ctx: RenderContext, rng: Rng, sp: Sprite, target: Pose): Uint8Array {
  const R = ctx.refSize;
  const { canvas, coverage } = referenceScratch(R);
  const grey = rng.range(200, 250);
  const bg: Rgb = [grey + rng.range(-8, 8), grey + rng.range(-8, 8), grey + rng.range(-8, 8)];
  // Drawn over black, the canvas holds premultiplied colour; the background is added at the end.
  canvas.data.fill(0);
  coverage.fill(0);
  const contentSide = Math.max(sp.content[2] - sp.content[0], sp.content[3] - sp.content[1]);
  const turn = rng.range(0.14, 0.42) * (rng.chance(0.5) ? 1 : -1);
  const pose: Pose = {
    cx: R / 2 + rng.range(-0.04, 0.04) * R,
    cy: R / 2 + rng.range(-0.04, 0.04) * R,
    scale: (rng.range(0.68, 0.86) * R) / contentSide,
    rotation: target.rotation + turn,
    flip: rng.chance(0.5) ? !target.flip : target.flip,
    aspect: rng.range(0.92, 1.08),
  };
  drawSprite({ canvas, coverage }, sp, pose, lightFrom(rng, [1, 1, 1], 0.06, [0.08, 0.28]));
  const out = new Uint8ClampedArray(R * R * 4);
  const d = canvas.data;
  for (let p = 0; p < R * R; p++) {
    const c = coverage[p]!; // never exceeds 1
    const keep = 1 - c;
    out[p * 4] = d[p * 3]! + bg[0] * keep;
    out[p * 4 + 1] = d[p * 3 + 1]! + bg[1] * keep;
    out[p * 4 + 2] = d[p * 3 + 2]! + bg[2] * keep;
    out[p * 4 + 3] = c * 255;
  }
  return new Uint8Array(out.buffer);
}

/** The layout image as RGB with empty pixels = 128, composed by @contextgen/core. */
function renderLayout(
  ctx: RenderContext,
  boxes: readonly Box[],
  zs: readonly number[],
  refs: readonly Uint8Array[],
): Uint8Array {
  const S = ctx.size;
  const R = ctx.refSize;
  const instances: LayoutInstance[] = boxes.map((box, j) => {
    const ref = refs[j]!;
    // The stored reference's alpha IS its mask (CONTRACTS 5); read it the way inference reads an RGBA
    // reference (core's alphaToMask: alpha >= 128 is the subject), so training and inference layouts agree.
    const image = {
      width: R,
      height: R,
      data: new Uint8ClampedArray(ref.buffer, ref.byteOffset, ref.length),
    };
    return { box, z: zs[j]!, reference: { image, mask: alphaToMask(image) } };
  });
  const rgba = composeLayout(S, S, instances).data;
  const out = new Uint8Array(S * S * 3);
  for (let p = 0; p < S * S; p++) {
    const covered = rgba[p * 4 + 3]! > 0;
    out[p * 3] = covered ? rgba[p * 4]! : LAYOUT_EMPTY;
    out[p * 3 + 1] = covered ? rgba[p * 4 + 1]! : LAYOUT_EMPTY;
    out[p * 3 + 2] = covered ? rgba[p * 4 + 2]! : LAYOUT_EMPTY;
  }
  return out;
}

/** Distinct identities for one sample. */
function pickIdentities(rng: Rng, pool: readonly number[], count: number): number[] {
  const chosen: number[] = [];
  while (chosen.length < count) {
    const index = rng.pick(pool);
    if (!chosen.includes(index)) chosen.push(index);
  }
  return chosen;
}

export function renderSample(ctx: RenderContext, id: number): Sample {
  const S = ctx.size;
  const rng = sampleRng(ctx.seed, ctx.split, id);
  const scene = rng.pick(SCENES);
  const level = rng.int(ctx.minLevel, ctx.maxLevel);
  const indices = pickIdentities(rng, ctx.pool, level);
  const horizon = Math.round(S * rng.range(scene.horizon[0], scene.horizon[1]));
  const light = lightFrom(rng, scene.light, 0.05, [0.12, 0.32]);

  const canvas = targetScratch(S);
  paintBackground(
    canvas,
    { scene, horizon, jitter: [rng.range(-10, 10), rng.range(-10, 10), rng.range(-10, 10)] },
    rng,
  );

  const placements = placeInstances(ctx, rng, indices, horizon);
  // Depth: a lower foot point is nearer. Ties keep placement order.
  const order = placements
    .map((_, j) => j)
    .sort((a, b) => placements[a]!.foot - placements[b]!.foot || a - b);
  const z = new Array<number>(level);
  order.forEach((j, rank) => (z[j] = rank));

  const owner = new Int8Array(S * S).fill(-1);
  const boxes: Box[] = new Array<Box>(level);
  for (const j of order) {
    const pl = placements[j]!;
    const w = pl.predicted[2] - pl.predicted[0];
    paintShadow(
      canvas,
      pl.pose.cx - light.dirX * 0.18 * w,
      pl.foot - 0.03 * w,
      0.46 * w,
      Math.max(1.5, 0.1 * w),
      scene.shadow,
    );
    const drawn = drawSprite({ canvas, owner, ownerId: j }, sprite(ctx, pl.index), pl.pose, light);
    const p = pl.predicted;
    boxes[j] = drawn ?? [Math.floor(p[0]), Math.floor(p[1]), Math.ceil(p[2]), Math.ceil(p[3])];
  }
  const target = canvasToRgb(canvas);
  const refs = placements.map((pl) => renderReference(ctx, rng, sprite(ctx, pl.index), pl.pose));
  const layout = renderLayout(ctx, boxes, z, refs);

  // Header order: a random permutation, independent of depth.
  const listing = placements.map((_, j) => j);
  for (let k = listing.length - 1; k > 0; k--) {
    const r = rng.int(0, k);
    [listing[k], listing[r]] = [listing[r]!, listing[k]!];
  }
  const masks = placements.map(() => new Uint8Array(S * S));
  for (let p = 0; p < S * S; p++) {
    const o = owner[p]!;
    if (o >= 0) masks[o]![p] = 255;
  }
  const instances: SampleInstance[] = listing.map((j) => {
    const entry = ctx.atlas.identities[placements[j]!.index]!;
    return {
      identity: entry.key,
      name: entry.name,
      phrase: entry.name,
      box: boxes[j]!,
      z: z[j]!,
      reference: refs[j]!,
      mask: masks[j]!,
    };
  });
  const caption = makeCaption(scene.name, instances, rng);
  return { id, scene: scene.name, level, caption, instances, target, layout };
}
