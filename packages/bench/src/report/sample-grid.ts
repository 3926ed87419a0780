/**
 * One sample row for the report: references | layout | generated | generated with boxes
 * (target boxes white, found boxes green when the instance succeeds, red otherwise).
 */
import type { Box } from '../eval/box.ts';
import type { Raster } from '../image/raster.ts';
import { makeRaster, resizeRaster, toRgb } from '../image/raster.ts';
import type { InstanceScore } from '../metrics/scores.ts';
import { instanceSuccess } from '../metrics/metrics.ts';

function paste(dst: Raster, src: Raster, x0: number, y0: number): void {
  const s = toRgb(src);
  for (let y = 0; y < s.height; y++) {
    for (let x = 0; x < s.width; x++) {
      const dx = x0 + x;
      const dy = y0 + y;
      if (dx < 0 || dy < 0 || dx >= dst.width || dy >= dst.height) continue;
      for (let k = 0; k < 3; k++)
        dst.data[(dy * dst.width + dx) * 3 + k] = s.data[(y * s.width + x) * 3 + k]!;
    }
  }
}

/** RGBA reference over a light checker so the cutout is visible. */
function flattenReference(ref: Raster): Raster {
  const out = makeRaster(ref.width, ref.height, 3);
  for (let y = 0; y < ref.height; y++) {
    for (let x = 0; x < ref.width; x++) {
      const i = y * ref.width + x;
      const a = ref.data[i * 4 + 3]! / 255;
      const bg = ((x >> 3) + (y >> 3)) % 2 ? 235 : 250;
      for (let k = 0; k < 3; k++)
        out.data[i * 3 + k] = Math.round(ref.data[i * 4 + k]! * a + bg * (1 - a));
    }
  }
  return out;
}

export function drawBox(img: Raster, b: Box, colour: readonly [number, number, number]): void {
  const x0 = Math.max(0, Math.round(b[0]));
  const y0 = Math.max(0, Math.round(b[1]));
  const x1 = Math.min(img.width - 1, Math.round(b[2]) - 1);
  const y1 = Math.min(img.height - 1, Math.round(b[3]) - 1);
  const set = (x: number, y: number) => {
    for (let k = 0; k < 3; k++) img.data[(y * img.width + x) * img.channels + k] = colour[k]!;
  };
  for (let x = x0; x <= x1; x++) {
    set(x, y0);
    set(x, y1);
  }
  for (let y = y0; y <= y1; y++) {
    set(x0, y);
    set(x1, y);
  }
}

export function sampleRow(
  references: readonly Raster[],
  layout: Raster,
  generated: Raster,
  targets: readonly Box[],
  scores: readonly InstanceScore[],
): Raster {
  const S = generated.height;
  const refSide = Math.floor(S / 2);
  const refCols = Math.max(1, Math.ceil(references.length / 2));
  const W = refCols * refSide + 3 * (S + 4) + 4;
  const out = makeRaster(W, S, 3, 255);
  references.forEach((r, j) =>
    paste(
      out,
      resizeRaster(flattenReference(r), refSide, refSide),
      Math.floor(j / 2) * refSide,
      (j % 2) * refSide,
    ),
  );
  let x = refCols * refSide + 4;
  paste(out, layout, x, 0);
  x += S + 4;
  paste(out, generated, x, 0);
  x += S + 4;
  const boxed = makeRaster(generated.width, generated.height, 3);
  boxed.data.set(toRgb(generated).data);
  targets.forEach((b) => drawBox(boxed, b, [255, 255, 255]));
  scores.forEach((s) => {
    if (s.found) drawBox(boxed, s.found, instanceSuccess(s) ? [0, 220, 0] : [230, 0, 0]);
  });
  paste(out, boxed, x, 0);
  return out;
}
