/** Guards against decompression bombs and oversized uploads. Configs as data. */
export interface ImageLimits {
  /** Largest decoded width*height accepted (sharp's limitInputPixels). */
  readonly maxPixels: number;
  /** Largest encoded file size accepted, in bytes. */
  readonly maxBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxPixels: 40_000_000,
  maxBytes: 50 * 1024 * 1024,
};

/** The formats accepted as input, as sharp names them. */
export const SUPPORTED_INPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;
export type InputFormat = (typeof SUPPORTED_INPUT_FORMATS)[number];

export function formatMegapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(pixels < 1e6 ? 2 : 1)} megapixels`;
}

export function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
