/**
 * Drawing one emoji with a pose (position, scale, rotation, flip, aspect) and a light
 * (colour tint plus a directional gradient) onto a float canvas. Sampling is bilinear on
 * premultiplied alpha, from a mip level close to the drawn scale so small copies do not alias.
 */
import type { FloatCanvas } from './background.ts';
import type { Rgb } from './scenes.ts';

/** A premultiplied RGBA mip chain of one identity, plus its content box at level 0. */
export interface Sprite {
  /** levels[k] is (size >> k)^2 * 4 bytes, premultiplied. */
  readonly levels: readonly Uint8Array[];
  readonly size: number;
  /** Bounding box of alpha > 0 at level 0: [x0, y0, x1, y1), in pixels. */
  readonly content: readonly [number, number, number, number];
}

export interface Pose {
  /** Canvas position of the content centre. */
  readonly cx: number;
  readonly cy: number;
  /** Canvas pixels per sprite pixel (level 0). */
  readonly scale: number;
  /** Radians, clockwise on screen. */
  readonly rotation: number;
  readonly flip: boolean;
  /** Horizontal stretch (> 1 wider), applied as sqrt on both axes so the area is kept. */
  readonly aspect: number;
}

export interface Lighting {
  readonly tint: Rgb;
  /** Unit vector pointing towards the light, canvas axes (y down). */
  readonly dirX: number;
  readonly dirY: number;
  /** Brightness swing across the object, e.g. 0.25 = +-25%. */
  readonly strength: number;
}

/** Build the premultiplied mip chain of a straight-alpha RGBA square image. */
export function makeSprite(rgba: Uint8Array, size: number, maxLevels = 3): Sprite {
  const base = new Uint8Array(size * size * 4);
  let x0 = size;
  let y0 = size;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const a = rgba[i + 3]!;
      base[i] = Math.round((rgba[i]! * a) / 255);
      base[i + 1] = Math.round((rgba[i + 1]! * a) / 255);
      base[i + 2] = Math.round((rgba[i + 2]! * a) / 255);
      base[i + 3] = a;
      if (a > 0) {
        if (x < x0) x0 = x;
        if (y < y0) y0 = y;
        if (x + 1 > x1) x1 = x + 1;
        if (y + 1 > y1) y1 = y + 1;
      }
    }
  }
  if (x1 <= x0) {
    x0 = 0;
    y0 = 0;
    x1 = size;
    y1 = size;
  }
  const levels: Uint8Array[] = [base];
  let s = size;
  while (levels.length < maxLevels && s >= 4) {
    const prev = levels[levels.length - 1]!;
    const half = s >> 1;
    const next = new Uint8Array(half * half * 4);
    for (let y = 0; y < half; y++) {
      for (let x = 0; x < half; x++) {
        for (let c = 0; c < 4; c++) {
          const a = prev[(2 * y * s + 2 * x) * 4 + c]!;
          const b = prev[(2 * y * s + 2 * x + 1) * 4 + c]!;
          const d = prev[((2 * y + 1) * s + 2 * x) * 4 + c]!;
          const e = prev[((2 * y + 1) * s + 2 * x + 1) * 4 + c]!;
          next[(y * half + x) * 4 + c] = (a + b + d + e + 2) >> 2;
        }
      }
    }
    levels.push(next);
    s = half;
  }
  return { levels, size, content: [x0, y0, x1, y1] };
}

/** Half extents (x, y) of the drawn content's axis-aligned bounding box. */
export function poseExtents(sprite: Sprite, pose: Pose): [number, number] {
  const sa = Math.sqrt(pose.aspect);
  const hw = ((sprite.content[2] - sprite.content[0]) / 2) * pose.scale * sa;
  const hh = ((sprite.content[3] - sprite.content[1]) / 2) * (pose.scale / sa);
  const c = Math.abs(Math.cos(pose.rotation));
  const s = Math.abs(Math.sin(pose.rotation));
  return [c * hw + s * hh, s * hw + c * hh];
}

export interface DrawTargets {
  readonly canvas: FloatCanvas;
  /** Per-pixel owner (instance index) updated where coverage >= 0.5; optional. */
  readonly owner?: Int8Array;
  readonly ownerId?: number;
  /** Accumulated coverage 0..1 (for references); optional. */
  readonly coverage?: Float32Array;
}

/** Integer box `[x1, y1, x2, y2)` of the pixels where coverage > 0.25, or null if none. */
export type DrawnBox = [number, number, number, number] | null;

export function drawSprite(
  targets: DrawTargets,
  sprite: Sprite,
  pose: Pose,
  light: Lighting,
): DrawnBox {
  const { canvas, owner, coverage } = targets;
  const ownerId = targets.ownerId ?? 0;
  const { width, height, data } = canvas;
  // Mip level: the largest k with scale * 2^k <= 1.25 (capped by the chain).
  let level = 0;
  while (level + 1 < sprite.levels.length && pose.scale * (1 << (level + 1)) <= 1.25) level++;
  const src = sprite.levels[level]!;
  const ss = sprite.size >> level;
  const lscale = 1 << level;
  const sa = Math.sqrt(pose.aspect);
  const sx = pose.scale * sa * lscale; // canvas px per level px, x
  const sy = (pose.scale / sa) * lscale;
  const ccx = (sprite.content[0] + sprite.content[2]) / 2 / lscale;
  const ccy = (sprite.content[1] + sprite.content[3]) / 2 / lscale;
  const cos = Math.cos(pose.rotation);
  const sin = Math.sin(pose.rotation);
  const [ex, ey] = poseExtents(sprite, pose);
  const x0 = Math.max(0, Math.floor(pose.cx - ex - 1));
  const x1 = Math.min(width - 1, Math.ceil(pose.cx + ex + 1));
  const y0 = Math.max(0, Math.floor(pose.cy - ey - 1));
  const y1 = Math.min(height - 1, Math.ceil(pose.cy + ey + 1));
  const norm = 1 / Math.max(1, Math.max(ex, ey));
  const [tr, tg, tb] = light.tint;
  const flipSign = pose.flip ? -1 : 1;
  let bx0 = width;
  let by0 = height;
  let bx1 = -1;
  let by1 = -1;
  // u, v are affine in x: step them incrementally along a row.
  const du = (cos / sx) * flipSign;
  const dv = -sin / sy;
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - pose.cy;
    const dx0 = x0 + 0.5 - pose.cx;
    let u = ((cos * dx0 + sin * dy) / sx) * flipSign + ccx - 0.5 - du;
    let v = (-sin * dx0 + cos * dy) / sy + ccy - 0.5 - dv;
    for (let x = x0; x <= x1; x++) {
      u += du;
      v += dv;
      const dx = x + 0.5 - pose.cx;
      if (u <= -1 || v <= -1 || u >= ss || v >= ss) continue;
      const iu = Math.floor(u);
      const iv = Math.floor(v);
      const fu = u - iu;
      const fv = v - iv;
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      if (iu >= 0 && iv >= 0 && iu < ss - 1 && iv < ss - 1) {
        // Fast path: all four taps inside the sprite.
        const i00 = (iv * ss + iu) * 4;
        const i10 = i00 + ss * 4;
        const w00 = (1 - fu) * (1 - fv);
        const w01 = fu * (1 - fv);
        const w10 = (1 - fu) * fv;
        const w11 = fu * fv;
        a = w00 * src[i00 + 3]! + w01 * src[i00 + 7]! + w10 * src[i10 + 3]! + w11 * src[i10 + 7]!;
        if (a <= 0) continue;
        r = w00 * src[i00]! + w01 * src[i00 + 4]! + w10 * src[i10]! + w11 * src[i10 + 4]!;
        g = w00 * src[i00 + 1]! + w01 * src[i00 + 5]! + w10 * src[i10 + 1]! + w11 * src[i10 + 5]!;
        b = w00 * src[i00 + 2]! + w01 * src[i00 + 6]! + w10 * src[i10 + 2]! + w11 * src[i10 + 6]!;
      } else {
        // Edge taps: those outside the sprite are transparent.
        for (let k = 0; k < 4; k++) {
          const tu = iu + (k & 1);
          const tv = iv + (k >> 1);
          if (tu < 0 || tv < 0 || tu >= ss || tv >= ss) continue;
          const w = (k & 1 ? fu : 1 - fu) * (k >> 1 ? fv : 1 - fv);
          const i = (tv * ss + tu) * 4;
          r += w * src[i]!;
          g += w * src[i + 1]!;
          b += w * src[i + 2]!;
          a += w * src[i + 3]!;
        }
        if (a <= 0) continue;
      }
      const alpha = a / 255;
      let shade = 1 + light.strength * (dx * light.dirX + dy * light.dirY) * norm;
      if (shade < 0.4) shade = 0.4;
      const p = y * width + x;
      const inv = 1 - alpha;
      data[p * 3] = data[p * 3]! * inv + r * tr * shade;
      data[p * 3 + 1] = data[p * 3 + 1]! * inv + g * tg * shade;
      data[p * 3 + 2] = data[p * 3 + 2]! * inv + b * tb * shade;
      if (coverage) coverage[p] = coverage[p]! + alpha * (1 - coverage[p]!);
      if (alpha >= 0.5 && owner) owner[p] = ownerId;
      if (alpha > 0.25) {
        if (x < bx0) bx0 = x;
        if (y < by0) by0 = y;
        if (x > bx1) bx1 = x;
        if (y > by1) by1 = y;
      }
    }
  }
  return bx1 < 0 ? null : [bx0, by0, bx1 + 1, by1 + 1];
}
