/**
 * Box geometry in canvas pixels: pure functions, data in and data out.
 */
import type { CanvasBox, CanvasPoint, Instance } from './types.ts';

export type Handle = 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw';

export interface CanvasSize {
  readonly width: number;
  readonly height: number;
}

export const MIN_BOX_SIDE = 4;

export const boxWidth = (b: CanvasBox): number => b.x2 - b.x1;
export const boxHeight = (b: CanvasBox): number => b.y2 - b.y1;

export function boxFromArray(a: readonly [number, number, number, number]): CanvasBox {
  return normalizeBox({ x1: a[0], y1: a[1], x2: a[2], y2: a[3] });
}

export function boxToArray(b: CanvasBox): [number, number, number, number] {
  return [b.x1, b.y1, b.x2, b.y2];
}

/** Orders the corners so x1 <= x2 and y1 <= y2. */
export function normalizeBox(b: CanvasBox): CanvasBox {
  return {
    x1: Math.min(b.x1, b.x2),
    y1: Math.min(b.y1, b.y2),
    x2: Math.max(b.x1, b.x2),
    y2: Math.max(b.y1, b.y2),
  };
}

export function roundBox(b: CanvasBox): CanvasBox {
  return { x1: Math.round(b.x1), y1: Math.round(b.y1), x2: Math.round(b.x2), y2: Math.round(b.y2) };
}

/** Keeps a box inside the canvas: moved in when possible, shrunk only when larger than it. */
export function clampBox(b: CanvasBox, canvas: CanvasSize): CanvasBox {
  const w = Math.min(boxWidth(b), canvas.width);
  const h = Math.min(boxHeight(b), canvas.height);
  const x1 = Math.min(Math.max(b.x1, 0), canvas.width - w);
  const y1 = Math.min(Math.max(b.y1, 0), canvas.height - h);
  return { x1, y1, x2: x1 + w, y2: y1 + h };
}

export function moveBox(b: CanvasBox, dx: number, dy: number, canvas: CanvasSize): CanvasBox {
  return clampBox({ x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy }, canvas);
}

/**
 * Resizes `b` by dragging `handle` to `point`. The opposite edge or corner stays put. With
 * `aspect` (width / height) the box keeps that ratio; the result always stays in the canvas
 * and keeps at least MIN_BOX_SIDE per side.
 */
export function resizeBox(
  b: CanvasBox,
  handle: Handle,
  point: CanvasPoint,
  canvas: CanvasSize,
  aspect?: number,
): CanvasBox {
  const px = Math.min(Math.max(point.x, 0), canvas.width);
  const py = Math.min(Math.max(point.y, 0), canvas.height);
  let { x1, y1, x2, y2 } = b;
  if (handle.includes('w')) x1 = Math.min(px, x2 - MIN_BOX_SIDE);
  if (handle.includes('e')) x2 = Math.max(px, x1 + MIN_BOX_SIDE);
  if (handle.includes('n')) y1 = Math.min(py, y2 - MIN_BOX_SIDE);
  if (handle.includes('s')) y2 = Math.max(py, y1 + MIN_BOX_SIDE);
  if (aspect === undefined || !(aspect > 0)) return { x1, y1, x2, y2 };

  // Anchor: the fixed point opposite the handle (edge middles for side handles).
  const anchorX = handle.includes('w') ? b.x2 : handle.includes('e') ? b.x1 : (b.x1 + b.x2) / 2;
  const anchorY = handle.includes('n') ? b.y2 : handle.includes('s') ? b.y1 : (b.y1 + b.y2) / 2;
  let w = x2 - x1;
  let h = y2 - y1;
  if (handle === 'n' || handle === 's') w = h * aspect;
  else if (handle === 'e' || handle === 'w') h = w / aspect;
  else if (w / h > aspect) h = w / aspect;
  else w = h * aspect;
  // Room available from the anchor in the dragged direction(s), so the box never leaves the canvas.
  const roomX = handle.includes('w')
    ? anchorX
    : handle.includes('e')
      ? canvas.width - anchorX
      : 2 * Math.min(anchorX, canvas.width - anchorX);
  const roomY = handle.includes('n')
    ? anchorY
    : handle.includes('s')
      ? canvas.height - anchorY
      : 2 * Math.min(anchorY, canvas.height - anchorY);
  const scale = Math.min(1, roomX / w, roomY / h);
  w *= scale;
  h *= scale;
  const nx1 = handle.includes('w') ? anchorX - w : handle.includes('e') ? anchorX : anchorX - w / 2;
  const ny1 = handle.includes('n') ? anchorY - h : handle.includes('s') ? anchorY : anchorY - h / 2;
  return { x1: nx1, y1: ny1, x2: nx1 + w, y2: ny1 + h };
}

export interface SnapOptions {
  /** Grid spacing in canvas pixels; 0 turns grid snapping off. */
  readonly grid: number;
  /** Edges to snap to (other boxes' and the canvas's), per axis. */
  readonly xEdges: readonly number[];
  readonly yEdges: readonly number[];
  /** How close (canvas pixels) an edge must be to snap. */
  readonly threshold: number;
}

/** The candidate closest to `value` within `threshold`, or `value` unchanged. */
export function snapValue(value: number, candidates: readonly number[], threshold: number): number {
  let best = value;
  let bestDist = threshold + 1e-9;
  for (const c of candidates) {
    const d = Math.abs(c - value);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

function axisCandidates(value: number, edges: readonly number[], grid: number): number[] {
  const out = [...edges];
  if (grid > 0) out.push(Math.round(value / grid) * grid);
  return out;
}

/** The smallest shift that puts one of `sides` on a snap candidate, or 0. */
function snapShift(
  sides: readonly number[],
  edges: readonly number[],
  grid: number,
  threshold: number,
): number {
  let best = 0;
  let bestDist = Infinity;
  for (const s of sides) {
    const snapped = snapValue(s, axisCandidates(s, edges, grid), threshold);
    const d = Math.abs(snapped - s);
    if (snapped !== s && d < bestDist) {
      best = snapped - s;
      bestDist = d;
    }
  }
  return best;
}

/** Snaps a moved box: the whole box shifts so its nearest side lands on a grid line or edge. */
export function snapMovedBox(b: CanvasBox, opts: SnapOptions, canvas: CanvasSize): CanvasBox {
  const dx = snapShift([b.x1, b.x2], opts.xEdges, opts.grid, opts.threshold);
  const dy = snapShift([b.y1, b.y2], opts.yEdges, opts.grid, opts.threshold);
  return moveBox(b, dx, dy, canvas);
}

/** Snaps the sides a resize handle moves; the other sides stay. */
export function snapResizedBox(b: CanvasBox, handle: Handle, opts: SnapOptions): CanvasBox {
  const sx = (v: number) => snapValue(v, axisCandidates(v, opts.xEdges, opts.grid), opts.threshold);
  const sy = (v: number) => snapValue(v, axisCandidates(v, opts.yEdges, opts.grid), opts.threshold);
  const out = {
    x1: handle.includes('w') ? sx(b.x1) : b.x1,
    x2: handle.includes('e') ? sx(b.x2) : b.x2,
    y1: handle.includes('n') ? sy(b.y1) : b.y1,
    y2: handle.includes('s') ? sy(b.y2) : b.y2,
  };
  return boxWidth(out) >= MIN_BOX_SIDE && boxHeight(out) >= MIN_BOX_SIDE ? out : b;
}

/** Edges to snap to: the canvas sides and the sides of every other instance. */
export function snapEdges(
  instances: readonly Instance[],
  exceptId: string,
  canvas: CanvasSize,
): { xEdges: number[]; yEdges: number[] } {
  const xEdges = [0, canvas.width];
  const yEdges = [0, canvas.height];
  for (const i of instances) {
    if (i.id === exceptId) continue;
    xEdges.push(i.box.x1, i.box.x2);
    yEdges.push(i.box.y1, i.box.y2);
  }
  return { xEdges, yEdges };
}

export function containsPoint(b: CanvasBox, p: CanvasPoint): boolean {
  return p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2;
}

/** The topmost instance under a point, or undefined. */
export function hitTest(instances: readonly Instance[], p: CanvasPoint): Instance | undefined {
  let hit: Instance | undefined;
  for (const i of instances) if (containsPoint(i.box, p) && (!hit || i.z >= hit.z)) hit = i;
  return hit;
}

/** A box centred in the canvas with the asset's aspect ratio, taking `fraction` of the shorter side. */
export function defaultBoxFor(
  assetW: number,
  assetH: number,
  canvas: CanvasSize,
  fraction = 0.5,
): CanvasBox {
  const side = Math.min(canvas.width, canvas.height) * fraction;
  const aspect = assetW > 0 && assetH > 0 ? assetW / assetH : 1;
  const w = aspect >= 1 ? side : side * aspect;
  const h = aspect >= 1 ? side / aspect : side;
  const x1 = (canvas.width - w) / 2;
  const y1 = (canvas.height - h) / 2;
  return roundBox({ x1, y1, x2: x1 + w, y2: y1 + h });
}

/** Scales a box from one canvas size to another (used when the canvas size changes). */
export function scaleBox(b: CanvasBox, from: CanvasSize, to: CanvasSize): CanvasBox {
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  return roundBox({ x1: b.x1 * sx, y1: b.y1 * sy, x2: b.x2 * sx, y2: b.y2 * sy });
}

/**
 * Any box made valid for the canvas: corners ordered, whole pixels, at least MIN_BOX_SIDE a
 * side (less only when the canvas is smaller), inside the canvas. Every box the editor stores
 * goes through this, so a typed, pasted, loaded or duplicated box can never be inverted,
 * empty or off the canvas.
 */
export function fitBox(b: CanvasBox, canvas: CanvasSize): CanvasBox {
  const finite = (v: number, fallback: number) => (Number.isFinite(v) ? v : fallback);
  const n = roundBox(
    normalizeBox({
      x1: finite(b.x1, 0),
      y1: finite(b.y1, 0),
      x2: finite(b.x2, canvas.width),
      y2: finite(b.y2, canvas.height),
    }),
  );
  const minW = Math.min(MIN_BOX_SIDE, canvas.width);
  const minH = Math.min(MIN_BOX_SIDE, canvas.height);
  const w = Math.max(boxWidth(n), minW);
  const h = Math.max(boxHeight(n), minH);
  return clampBox({ x1: n.x1, y1: n.y1, x2: n.x1 + w, y2: n.y1 + h }, canvas);
}

export type BoxEdge = 'x1' | 'y1' | 'x2' | 'y2';

/**
 * Sets one edge to a typed value, keeping the opposite edge: the value is kept inside the
 * canvas and at least MIN_BOX_SIDE away from the opposite edge.
 */
export function setBoxEdge(
  b: CanvasBox,
  edge: BoxEdge,
  value: number,
  canvas: CanvasSize,
): CanvasBox {
  const box = fitBox(b, canvas);
  if (!Number.isFinite(value)) return box;
  const v = Math.round(value);
  const out = { ...box };
  if (edge === 'x1') out.x1 = Math.max(0, Math.min(v, box.x2 - MIN_BOX_SIDE));
  if (edge === 'x2') out.x2 = Math.min(canvas.width, Math.max(v, box.x1 + MIN_BOX_SIDE));
  if (edge === 'y1') out.y1 = Math.max(0, Math.min(v, box.y2 - MIN_BOX_SIDE));
  if (edge === 'y2') out.y2 = Math.min(canvas.height, Math.max(v, box.y1 + MIN_BOX_SIDE));
  return fitBox(out, canvas);
}

/**
 * Where a new box goes so it does not land exactly on another one: `b` moved down and right
 * by `step` until no existing box starts within `step / 2` of its corner, starting again at
 * the top left of the canvas when it would leave it.
 */
export function cascadeBox(
  b: CanvasBox,
  others: readonly CanvasBox[],
  canvas: CanvasSize,
  step: number,
): CanvasBox {
  let box = fitBox(b, canvas);
  const taken = (c: CanvasBox) =>
    others.some((o) => Math.abs(o.x1 - c.x1) < step / 2 && Math.abs(o.y1 - c.y1) < step / 2);
  const w = boxWidth(box);
  const h = boxHeight(box);
  for (let k = 0; k < 64 && taken(box); k++) {
    let x1 = box.x1 + step;
    let y1 = box.y1 + step;
    if (x1 + w > canvas.width || y1 + h > canvas.height) {
      // wrap to the top left, one step further right each round so rounds do not repeat
      const round = Math.floor(k / 4) + 1;
      x1 = (round * step) % Math.max(1, canvas.width - w + 1);
      y1 = 0;
    }
    box = fitBox({ x1, y1, x2: x1 + w, y2: y1 + h }, canvas);
  }
  return box;
}
