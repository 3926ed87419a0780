/** Browser image helpers: decode to the core's RgbaImage and back, file reading. */
import type { RgbaImage } from '@contextgen/core';
import { withToken } from './api.ts';

const cache = new Map<string, Promise<RgbaImage>>();

/** Decodes an image URL into RGBA pixels (cached per URL). */
export function loadRgba(src: string): Promise<RgbaImage> {
  let p = cache.get(src);
  if (!p) {
    p = new Promise<RgbaImage>((resolve, reject) => {
      const img = new Image();
      img.crossOrigin = 'anonymous';
      img.onload = () => {
        const c = document.createElement('canvas');
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height);
        resolve({ width: d.width, height: d.height, data: d.data });
      };
      img.onerror = () => reject(new Error(`cannot load image ${src}`));
      img.src = withToken(src);
    });
    cache.set(src, p);
    p.catch(() => cache.delete(src));
  }
  return p;
}

export function drawRgba(canvas: HTMLCanvasElement, image: RgbaImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d')!;
  ctx.putImageData(
    new ImageData(new Uint8ClampedArray(image.data), image.width, image.height),
    0,
    0,
  );
}

export function readFileAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

export function imageSize(src: string): Promise<{ width: number; height: number }> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight });
    img.onerror = () => reject(new Error('not an image'));
    img.src = src;
  });
}

export async function dataUrlToBlob(src: string): Promise<Blob> {
  return (await fetch(src)).blob();
}

export function download(name: string, href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
