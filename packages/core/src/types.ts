/**
 * Shared value types of the core. Coordinate spaces get distinct names so they are not
 * mixed up: pixel boxes are `PixelBox`, token grids are counted in tokens.
 * See spec/CONTRACTS.md for the cross-language encodings.
 */

/** An 8-bit RGBA raster, row-major, 4 bytes per pixel. No Node APIs: plain typed arrays. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray; // length width*height*4
}

/** A single-channel 8-bit mask (0 = outside, >0 = inside), row-major. */
export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array; // length width*height
}

/** `[x1, y1, x2, y2]` in canvas pixels, x2 > x1, y2 > y1. */
export type PixelBox = readonly [number, number, number, number];

export type ResizeRule = 'instance-fit' | 'image-fit' | 'stretch';

/** A reference image with its cutout mask (alpha of an RGBA reference, or a separate mask). */
export interface ReferenceCutout {
  readonly image: RgbaImage;
  readonly mask: Mask;
}

/** One instance as layout composition sees it (DESIGN 2). */
export interface LayoutInstance {
  readonly box: PixelBox;
  readonly reference?: ReferenceCutout;
  readonly resize?: ResizeRule;
  readonly z?: number;
}

export const SEG = { TEXT: 0, PHRASE: 1, MAIN: 2, LAYOUT: 3, REF: 4, PAD: 5 } as const;
export type SegmentId = (typeof SEG)[keyof typeof SEG];

export type LayerKind = 'cla' | 'ica';

/** Per-token descriptors (spec/CONTRACTS.md section 1), one entry per token in sequence order. */
export interface TokenDescriptors {
  readonly seg: Int32Array;
  readonly inst: Int32Array;
  readonly cover: Int32Array;
  readonly valid: Int32Array;
}

/**
 * What core reads of an `AbortSignal` (core is isomorphic and compiles without DOM or Node
 * types; any `AbortSignal` fits).
 */
export interface CancelSignal {
  readonly aborted: boolean;
}

/** Progress report of a long operation. */
export interface Progress {
  readonly step: number;
  readonly total: number;
}

/** A token grid: `h` rows by `w` columns of tokens. */
export interface TokenGrid {
  readonly h: number;
  readonly w: number;
}

/** The token grid of one reference, with one validity flag per token (row-major, 1 = valid). */
export interface RefGrid extends TokenGrid {
  readonly valid: ArrayLike<number>;
}

/** One named run of tokens in the sequence (spec/CONTRACTS.md section 1). */
export interface TokenSegment {
  readonly name: string; // 'text' | 'phrase_j' | 'main' | 'layout' | 'ref_j'
  readonly seg: SegmentId;
  readonly start: number;
  readonly length: number;
  /** Instance index for phrase and reference segments, -1 otherwise. */
  readonly instance: number;
}
