/**
 * Debug overlay for `contextgen layout`: box outlines and the instance index (a 3x5 pixel
 * font, scaled) drawn over a copy of the layout image. Pure: image in, image out.
 */
import type { PixelBox, RgbaImage } from '@contextgen/core';

const DIGITS: readonly string[][] = [
  ['###', '#.#', '#.#', '#.#', '###'],
  ['.#.', '##.', '.#.', '.#.', '###'],
  ['###', '..#', '###', '#..', '###'],
  ['###', '..#', '###', '..#', '###'],
  ['#.#', '#.#', '###', '..#', '..#'],
  ['###', '#..', '###', '..#', '###'],
  ['###', '#..', '###', '#.#', '###'],
  ['###', '..#', '..#', '..#', '..#'],
  ['###', '#.#', '###', '#.#', '###'],
  ['###', '#.#', '###', '..#', '###'],
];

/** Distinct outline colours, cycled by instance index. */
export const BOX_COLOURS: readonly (readonly [number, number, number])[] = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
];

type Rgb = readonly [number, number, number];

function setPixel(img: RgbaImage, x: number, y: number, c: Rgb): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const i = (y * img.width + x) * 4;
  img.data[i] = c[0];
  img.data[i + 1] = c[1];
  img.data[i + 2] = c[2];
  img.data[i + 3] = 255;
}

function fillRect(img: RgbaImage, x0: number, y0: number, w: number, h: number, c: Rgb): void {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) setPixel(img, x, y, c);
}

/** Draw `text` (digits only) with its top-left at (x, y); returns the width drawn. */
function drawDigits(
  img: RgbaImage,
  text: string,
  x: number,
  y: number,
  scale: number,
  c: Rgb,
): number {
  let cx = x;
  for (const ch of text) {
    const glyph = DIGITS[Number(ch)]!;
    glyph.forEach((row, gy) =>
      [...row].forEach((cell, gx) => {
        if (cell === '#') fillRect(img, cx + gx * scale, y + gy * scale, scale, scale, c);
      }),
    );
    cx += 4 * scale;
  }
  return cx - x - scale;
}

/** A copy of `layout` with each box outlined (`thickness` px, inside the box) and numbered. */
export function drawBoxes(layout: RgbaImage, boxes: readonly PixelBox[], thickness = 1): RgbaImage {
  const img: RgbaImage = { width: layout.width, height: layout.height, data: layout.data.slice() };
  const scale = Math.max(1, Math.round(Math.min(img.width, img.height) / 128));
  boxes.forEach((box, j) => {
    const c = BOX_COLOURS[j % BOX_COLOURS.length]!;
    const x1 = Math.round(box[0]);
    const y1 = Math.round(box[1]);
    const x2 = Math.round(box[2]) - 1;
    const y2 = Math.round(box[3]) - 1;
    for (let t = 0; t < thickness; t++) {
      for (let x = x1; x <= x2; x++) {
        setPixel(img, x, y1 + t, c);
        setPixel(img, x, y2 - t, c);
      }
      for (let y = y1; y <= y2; y++) {
        setPixel(img, x1 + t, y, c);
        setPixel(img, x2 - t, y, c);
      }
    }
    const label = String(j);
    const pad = scale;
    const w = label.length * 4 * scale - scale + 2 * pad;
    const h = 5 * scale + 2 * pad;
    fillRect(img, x1, y1, w, h, c);
    drawDigits(img, label, x1 + pad, y1 + pad, scale, [255, 255, 255]);
  });
  return img;
}
