/**
 * Copy-paste detection: an instance is a copy when, over the pixels the layout image painted
 * inside its box, the generated image is nearly the same picture: the same pattern
 * (NCC >= minNcc) at nearly the same values (mean absolute difference <= maxMad levels).
 * A re-rendered subject (new pose or light) fails one of the two; a pasted one passes both.
 */
import { LAYOUT_EMPTY } from '@contextgen/dataset';
import type { Raster } from '../image/raster.ts';
import type { Box } from './box.ts';

/** Empty layout pixels (spec/CONTRACTS.md section 5), as the dataset writes them. */
export { LAYOUT_EMPTY };

export interface CopyPasteOptions {
  readonly minNcc: number;
  readonly maxMad: number;
}

export const DEFAULT_COPY_PASTE: CopyPasteOptions = { minNcc: 0.9, maxMad: 16 };

export interface CopyPasteResult {
  readonly ncc: number;
  readonly mad: number;
  readonly copy: boolean;
}

export function copyPaste(
  generated: Raster,
  layout: Raster,
  box: Box,
  opts: CopyPasteOptions = DEFAULT_COPY_PASTE,
): CopyPasteResult {
  const W = generated.width;
  const x0 = Math.max(0, Math.floor(box[0]));
  const y0 = Math.max(0, Math.floor(box[1]));
  const x1 = Math.min(W, Math.ceil(box[2]));
  const y1 = Math.min(generated.height, Math.ceil(box[3]));
  const cg = generated.channels;
  const cl = layout.channels;
  // Pixels the layout image painted inside the box, as (generated offset, layout offset) pairs.
  const painted: [number, number][] = [];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const l = (y * W + x) * cl;
      if (
        layout.data[l] === LAYOUT_EMPTY &&
        layout.data[l + 1] === LAYOUT_EMPTY &&
        layout.data[l + 2] === LAYOUT_EMPTY
      )
        continue;
      painted.push([(y * W + x) * cg, l]);
    }
  }
  const n = painted.length;
  const sa = [0, 0, 0];
  const sb = [0, 0, 0];
  for (const [g, l] of painted) {
    for (let k = 0; k < 3; k++) {
      sa[k]! += generated.data[g + k]!;
      sb[k]! += layout.data[l + k]!;
    }
  }
  if (n < 4) return { ncc: 0, mad: 255, copy: false };
  let ab = 0;
  let aa = 0;
  let bb = 0;
  let mad = 0;
  for (const [g, l] of painted) {
    for (let k = 0; k < 3; k++) {
      const a = generated.data[g + k]!;
      const b = layout.data[l + k]!;
      mad += Math.abs(a - b);
      const da = a - sa[k]! / n;
      const db = b - sb[k]! / n;
      ab += da * db;
      aa += da * da;
      bb += db * db;
    }
  }
  mad /= 3 * n;
  const flatBoth = aa < 1e-6 && bb < 1e-6;
  const ncc = flatBoth ? 1 : aa > 1e-6 && bb > 1e-6 ? ab / Math.sqrt(aa * bb) : 0;
  return { ncc, mad, copy: ncc >= opts.minNcc && mad <= opts.maxMad };
}
