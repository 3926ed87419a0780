/**
 * Value types of the headless editor. Boxes live in canvas pixels (`CanvasBox`); points on the
 * screen are converted by the UI before they reach the editor, so no screen space appears here.
 */

/** A box in canvas pixels: left, top, right, bottom, with x2 > x1 and y2 > y1. */
export interface CanvasBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export interface CanvasPoint {
  readonly x: number;
  readonly y: number;
}

/** A reference image the user brought in, and its automatic (or redone) cutout. */
export interface Asset {
  readonly id: string;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** The original image: a data URL or a server URL. */
  readonly src: string;
  /** The RGBA cutout (alpha = mask), when one exists. */
  readonly cutoutSrc?: string;
  /** The mask alone (white = subject), for display. */
  readonly maskSrc?: string;
  /** The id the server gave the upload; absent until uploaded (e.g. after loading a project). */
  readonly uploadId?: string;
  /** Whether the mask came from the automatic cutout or from the image's own alpha. */
  readonly maskSource?: 'alpha' | 'auto' | 'none';
  /** What the server said to check about this image (e.g. a doubtful automatic cutout). */
  readonly warnings?: readonly string[];
}

export type ResizeRule = 'instance-fit' | 'image-fit' | 'stretch';

/** One instance on the canvas: where it goes, what it shows, and its own phrase. */
export interface Instance {
  readonly id: string;
  /** The asset whose cutout is the reference; null for a phrase-only instance. */
  readonly assetId: string | null;
  readonly box: CanvasBox;
  readonly phrase: string;
  readonly aspectLocked: boolean;
  /** Paint order: higher is on top. */
  readonly z: number;
  readonly resize: ResizeRule;
}

/** The generation settings the user edits. `seed: null` means "pick a random seed". */
export interface Settings {
  readonly prompt: string;
  readonly width: number;
  readonly height: number;
  readonly steps: number;
  readonly guidance: number;
  readonly seed: number | null;
}

/** View options: not part of the document and never in undo history. */
export interface ViewOptions {
  readonly grid: number;
  readonly snapToGrid: boolean;
  readonly snapToEdges: boolean;
  readonly showLayout: boolean;
  readonly showBoxes: boolean;
}

/** One finished generation, with everything needed to restore it. */
export interface HistoryEntry {
  readonly id: string;
  readonly jobId: string;
  readonly createdAt: string;
  /** The seed the generator actually used. */
  readonly seed: number;
  readonly model: string;
  readonly untrained: boolean;
  readonly warnings: readonly string[];
  readonly resultSrc: string;
  readonly layoutSrc?: string;
  readonly settings: Settings;
  readonly instances: readonly Instance[];
}

export interface EditorState {
  readonly assets: readonly Asset[];
  readonly instances: readonly Instance[];
  readonly settings: Settings;
  readonly selection: readonly string[];
  readonly view: ViewOptions;
  readonly results: readonly HistoryEntry[];
}
