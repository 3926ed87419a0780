/**
 * Binary mask morphology on 0/1 byte grids (row-major `w x h`): erosion, dilation with a square
 * structuring element (separable running min/max), connected components and the flood fill
 * from the border.
 */

function runMinMax(
  src: Uint8Array,
  w: number,
  h: number,
  r: number,
  horizontal: boolean,
  isMax: boolean,
): Uint8Array {
  const out = new Uint8Array(w * h);
  const outer = horizontal ? h : w;
  const inner = horizontal ? w : h;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let v = isMax ? 0 : 1;
      const lo = Math.max(0, i - r);
      const hi = Math.min(inner - 1, i + r);
      for (let k = lo; k <= hi; k++) {
        const s = horizontal ? src[o * w + k]! : src[k * w + o]!;
        if (isMax ? s > v : s < v) v = s;
      }
      out[horizontal ? o * w + i : i * w + o] = v;
    }
  }
  return out;
}

/** Dilation by a (2r+1)^2 square. */
export function dilate(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (r <= 0) return mask.slice();
  return runMinMax(runMinMax(mask, w, h, r, true, true), w, h, r, false, true);
}

/** Erosion by a (2r+1)^2 square; pixels beyond the border are ignored (not treated as background). */
export function erode(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (r <= 0) return mask.slice();
  return runMinMax(runMinMax(mask, w, h, r, true, false), w, h, r, false, false);
}

/** Opening (erode then dilate): removes specks and threads thinner than 2r+1 pixels. */
export function open(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  return dilate(erode(mask, w, h, r), w, h, r);
}

export interface Components {
  /** Per pixel: 0 background, 1..count the component label. */
  readonly labels: Int32Array;
  /** `areas[k]` = pixel count of label k (index 0 unused). */
  readonly areas: number[];
}

/** 8-connected components of the non-zero pixels. */
export function connectedComponents(mask: Uint8Array, w: number, h: number): Components {
  const labels = new Int32Array(w * h);
  const areas = [0];
  const stack: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    const label = areas.length;
    let area = 0;
    labels[start] = label;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      area++;
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= w) continue;
          const q = ny * w + nx;
          if (mask[q] !== 0 && labels[q] === 0) {
            labels[q] = label;
            stack.push(q);
          }
        }
      }
    }
    areas.push(area);
  }
  return { labels, areas };
}

/**
 * Keep the largest component and every component at least `minFraction` of its area.
 * Returns a 0/1 mask.
 */
export function keepLargeComponents(
  mask: Uint8Array,
  w: number,
  h: number,
  minFraction: number,
): Uint8Array {
  const { labels, areas } = connectedComponents(mask, w, h);
  const largest = Math.max(0, ...areas.slice(1));
  const keep = areas.map((a, k) => k > 0 && a > 0 && a >= largest * minFraction);
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = keep[labels[i]!] ? 1 : 0;
  return out;
}

/** Flood fill (4-connected) from every border pixel whose value is 1 in `passable`. */
export function floodFromBorder(passable: Uint8Array, w: number, h: number): Uint8Array {
  const reached = new Uint8Array(w * h);
  const stack: number[] = [];
  const seed = (i: number): void => {
    if (passable[i] && !reached[i]) {
      reached[i] = 1;
      stack.push(i);
    }
  };
  for (let x = 0; x < w; x++) {
    seed(x);
    seed((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    seed(y * w);
    seed(y * w + w - 1);
  }
  while (stack.length > 0) {
    const p = stack.pop()!;
    const x = p % w;
    if (x > 0) seed(p - 1);
    if (x < w - 1) seed(p + 1);
    if (p >= w) seed(p - w);
    if (p < (h - 1) * w) seed(p + w);
  }
  return reached;
}
