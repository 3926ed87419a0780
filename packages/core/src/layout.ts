/**
 * Layout image composition (DESIGN 2): paste each reference cutout into its box with its
 * resize rule, in paint order. Uncovered pixels stay RGBA (0,0,0,0) = empty.
 */
import {
  createImage,
  cropImage,
  cropMask,
  maskBoundingBox,
  pasteWithMask,
  resizeImage,
  resizeMask,
} from './image-ops.ts';
import { isSubject } from './subject-rule.ts';
import type { PixelRect } from './image-ops.ts';
import type {
  LayoutInstance,
  Mask,
  PixelBox,
  ReferenceCutout,
  RgbaImage,
  ResizeRule,
} from './types.ts';

/** A reference placed on the canvas: resized pixels, resized mask and top-left corner. */
export interface PlacedCutout {
  readonly image: RgbaImage;
  readonly mask: Mask;
  readonly x: number;
  readonly y: number;
}

/** Integer pixel rectangle of a (possibly fractional) box: edges rounded to the nearest pixel. */
export function boxRect(box: PixelBox): PixelRect {
  const x1 = Math.round(box[0]);
  const y1 = Math.round(box[1]);
  const x2 = Math.max(x1 + 1, Math.round(box[2]));
  const y2 = Math.max(y1 + 1, Math.round(box[3]));
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

function boxArea(b: PixelBox): number {
  return (b[2] - b[0]) * (b[3] - b[1]);
}

/** True when `inner` lies inside `outer` (edges may touch) and the boxes differ. */
function strictlyInside(inner: PixelBox, outer: PixelBox): boolean {
  const inside =
    inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
  return inside && inner.some((v, k) => v !== outer[k]);
}

/**
 * Paint order (indices, first painted first = bottom). Explicit `z` ascending (missing z counts
 * as 0); then an instance inside another's box after it; then larger boxes first; then input order.
 */
export function paintOrder(instances: readonly Pick<LayoutInstance, 'box' | 'z'>[]): number[] {
  const idx = instances.map((_, i) => i);
  return idx.sort((a, b) => {
    const A = instances[a]!;
    const B = instances[b]!;
    const za = A.z ?? 0;
    const zb = B.z ?? 0;
    if (za !== zb) return za - zb;
    if (strictlyInside(A.box, B.box)) return 1;
    if (strictlyInside(B.box, A.box)) return -1;
    const d = boxArea(B.box) - boxArea(A.box);
    return d !== 0 ? d : a - b;
  });
}

/** Scale a `w x h` source by `s` into integer size (at least 1 px), clamped to the box. */
function scaledSize(
  w: number,
  h: number,
  s: number,
  box: PixelRect,
): { width: number; height: number } {
  return {
    width: Math.min(box.width, Math.max(1, Math.round(w * s))),
    height: Math.min(box.height, Math.max(1, Math.round(h * s))),
  };
}

/**
 * Place one reference into its box with a resize rule (DESIGN 2):
 * - `instance-fit`: crop to the mask's bounding box, scale (aspect kept) so its area equals the
 *   box area, clamp the scale so it fits the box, centre it.
 * - `image-fit`: the whole reference, aspect kept, fitted inside the box, centred.
 * - `stretch`: the whole reference resized to fill the box exactly.
 * Returns null when the reference mask is empty (nothing to paste).
 */
export function placeReference(
  ref: ReferenceCutout,
  box: PixelBox,
  rule: ResizeRule = 'instance-fit',
): PlacedCutout | null {
  const rect = boxRect(box);
  const bbox = maskBoundingBox(ref.mask);
  if (bbox === null) return null;
  let image = ref.image;
  let mask = ref.mask;
  let size: { width: number; height: number };
  if (rule === 'stretch') {
    size = { width: rect.width, height: rect.height };
  } else if (rule === 'image-fit') {
    const s = Math.min(rect.width / image.width, rect.height / image.height);
    size = scaledSize(image.width, image.height, s, rect);
  } else {
    image = cropImage(image, bbox);
    mask = cropMask(mask, bbox);
    const areaScale = Math.sqrt((rect.width * rect.height) / (bbox.width * bbox.height));
    const s = Math.min(areaScale, rect.width / bbox.width, rect.height / bbox.height);
    size = scaledSize(bbox.width, bbox.height, s, rect);
  }
  const resized = resizeImage(image, size.width, size.height);
  const resizedMask = resizeMask(mask, size.width, size.height);
  return {
    image: resized,
    mask: resizedMask,
    x: rect.x + Math.floor((rect.width - size.width) / 2),
    y: rect.y + Math.floor((rect.height - size.height) / 2),
  };
}

/**
 * Compose the layout image: every instance with a reference pasted into its box in paint
 * order. Pixels no instance covers are (0,0,0,0); covered pixels have alpha 255.
 */
export function composeLayout(
  width: number,
  height: number,
  instances: readonly LayoutInstance[],
): RgbaImage {
  const canvas = createImage(width, height);
  for (const i of paintOrder(instances)) {
    const inst = instances[i]!;
    if (inst.reference === undefined) continue;
    const placed = placeReference(inst.reference, inst.box, inst.resize ?? 'instance-fit');
    if (placed !== null) pasteWithMask(canvas, placed.image, placed.mask, placed.x, placed.y);
  }
  return canvas;
}

/**
 * Layout image to model space, HWC float32 (`H*W*3`): `v/127.5 - 1` where the alpha is the
 * subject (`isSubject`: alpha >= 128), 0 for empty pixels (CONTRACTS section 4).
 */
export function layoutToModelSpace(img: RgbaImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (!isSubject(img.data[i * 4 + 3]!)) continue;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = img.data[i * 4 + c]! / 127.5 - 1;
  }
  return out;
}
