/**
 * Training pairs for the identity network (`bench ident-pairs`): IMIG-Synth samples drawn from
 * TRAINING identities only (never the held-out ones, and not the identities of the calibration
 * set, so that the threshold fitted there is fitted on identities the network never saw),
 * rendered at bench size, and for each mostly visible instance the reference cutout paired with
 * crops found by the bench localiser, exactly as the evaluator will see them:
 * - genuine: the ground truth; layout (every third instance): the layout image (the reference
 *   pasted in its box);
 * - blurred: the ground truth under a box blur of radius side * U(1/12, 1/4) (colours kept, detail
 *   gone; the validation's blur, side/8, lies inside that range);
 * - mosaic: the ground truth averaged over 4 or 8 px cells (right colours, no detail, like an
 *   undertrained patch model's output);
 *   both sampled at the ground truth's placement (the localiser lands there on such images;
 *   localising again would triple the export's cost);
 * - impostor: the reference localised at another instance's box of the same image;
 * - noise: the reference localised in an image of pixel noise (the localiser picks the noise that
 *   best matches the reference, which random noise crops do not imitate).
 * Deterministic for a seed.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { mix32, renderSample } from '@contextgen/dataset';
import type { Atlas, RenderContext } from '@contextgen/dataset';
import type { Box } from '../eval/box.ts';
import { CUTOUT_SIDE } from '../eval/evaluators.ts';
import { alignedCrop, cutoutCrop } from '../eval/identity.ts';
import { ImagePyramid, localise, DEFAULT_LOCALISE } from '../eval/localise.ts';
import { cutoutOf } from '../eval/template.ts';
import type { Raster } from '../image/raster.ts';
import { blurRaster, makeRaster } from '../image/raster.ts';
import { visibleShare } from '../sets/make-set.ts';
import { noiseImage } from '../validate/validate.ts';
import { toRendered } from '../sets/render-case.ts';
import { NET_CHANNELS, NET_PLANE, netInputBytes } from './net-input.ts';

export const PAIR_KINDS = ['genuine', 'layout', 'blurred', 'mosaic', 'impostor', 'noise'] as const;
export type PairKind = (typeof PAIR_KINDS)[number];
/** Bytes per record: kind, identity index (uint16 LE), reference tensor, crop tensor. */
export const PAIR_RECORD_BYTES = 3 + 2 * NET_CHANNELS * NET_PLANE;
/** Instances with more of their box hidden under nearer boxes are not used (the bench sets' rule). */
export const PAIR_MAX_OCCLUDED = 0.3;

export interface PairOptions {
  readonly samples: number;
  /** First renderer sample id (exports of disjoint id ranges can run side by side). */
  readonly first?: number;
  readonly seed: number;
  /** Identity keys never to draw (held-out identities are always excluded). */
  readonly exclude?: ReadonlySet<string>;
  readonly size?: number;
  readonly refSize?: number;
  readonly onSample?: () => void;
  /** Only these kinds (default: all); the random draws stay those of the full export. */
  readonly kinds?: ReadonlySet<PairKind>;
}

export interface Pair {
  readonly kind: PairKind;
  readonly identity: number;
  readonly reference: Uint8Array;
  readonly crop: Uint8Array;
}

/** Mean colour over `cell` x `cell` blocks of the image (grid anchored at 0, 0). */
export function mosaicRaster(r: Raster, cell: number): Raster {
  const out = makeRaster(r.width, r.height, r.channels);
  const c = r.channels;
  for (let y0 = 0; y0 < r.height; y0 += cell) {
    for (let x0 = 0; x0 < r.width; x0 += cell) {
      const y1 = Math.min(r.height, y0 + cell);
      const x1 = Math.min(r.width, x0 + cell);
      const n = (y1 - y0) * (x1 - x0);
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (let y = y0; y < y1; y++)
          for (let x = x0; x < x1; x++) s += r.data[(y * r.width + x) * c + k]!;
        const m = Math.round(s / n);
        for (let y = y0; y < y1; y++)
          for (let x = x0; x < x1; x++) out.data[(y * r.width + x) * c + k] = m;
      }
    }
  }
  return out;
}

/** The training identity pool: atlas indices that are neither held out nor excluded. */
export function trainingPool(atlas: Atlas, exclude: ReadonlySet<string> = new Set()): number[] {
  const held = new Set(atlas.heldout);
  const pool: number[] = [];
  atlas.identities.forEach((id, i) => {
    if (!held.has(id.key) && !exclude.has(id.key)) pool.push(i);
  });
  return pool;
}

/** Generates the pairs sample by sample. */
export function* identityPairs(atlas: Atlas, opts: PairOptions): Generator<Pair> {
  const size = opts.size ?? 128;
  const refSize = opts.refSize ?? 64;
  const pool = trainingPool(atlas, opts.exclude);
  const indexOf = new Map(atlas.identities.map((id, i) => [id.key, i]));
  const ctx: RenderContext = {
    atlas,
    size,
    refSize,
    seed: opts.seed,
    split: 'ident/train',
    pool,
    minLevel: 2,
    maxLevel: 6,
    sprites: new Map(),
  };
  const first = opts.first ?? 0;
  for (let id = first; id < first + opts.samples; id++) {
    const r = toRendered(renderSample(ctx, id), size, refSize);
    const gt = new ImagePyramid(r.target);
    const layout = new ImagePyramid(r.layout);
    let h = mix32(opts.seed, id);
    const rand = () => {
      h = mix32(h, 0x5bd1e995);
      return h / 2 ** 32;
    };
    const mosaic = mosaicRaster(r.target, rand() < 0.5 ? 4 : 8);
    const noise = new ImagePyramid(noiseImage(size, mix32(opts.seed ^ 0x6e6f6973, id)));
    const want = (k: PairKind) => !opts.kinds || opts.kinds.has(k);
    for (let j = 0; j < r.boxes.length; j++) {
      const box = r.boxes[j]!;
      const above = r.boxes.filter((_, k) => r.z[k]! > r.z[j]!);
      if (1 - visibleShare(box, above) > PAIR_MAX_OCCLUDED) continue;
      const identity = indexOf.get(r.identities[j]!)!;
      const cut = cutoutOf(r.references[j]!, CUTOUT_SIDE);
      const reference = netInputBytes(cutoutCrop(cut));
      const at = (pyr: ImagePyramid, b: Box) =>
        netInputBytes(
          alignedCrop(pyr.image, cut, localise(pyr, cut, b, DEFAULT_LOCALISE).placement),
        );
      const place = (['genuine', 'blurred', 'mosaic'] as const).some(want)
        ? localise(gt, cut, box, DEFAULT_LOCALISE).placement
        : null;
      const sampled = (img: Raster) => netInputBytes(alignedCrop(img, cut, place!));
      const side = Math.max(box[2] - box[0], box[3] - box[1]);
      const blurred = blurRaster(
        r.target,
        Math.max(2, side * (1 / 12 + rand() * (1 / 4 - 1 / 12))),
      );
      if (want('genuine')) yield { kind: 'genuine', identity, reference, crop: sampled(r.target) };
      if (want('layout') && (id + j) % 3 === 0)
        yield { kind: 'layout', identity, reference, crop: at(layout, box) };
      if (want('blurred')) yield { kind: 'blurred', identity, reference, crop: sampled(blurred) };
      if (want('mosaic')) yield { kind: 'mosaic', identity, reference, crop: sampled(mosaic) };
      if (r.boxes.length > 1) {
        const k = (j + 1 + Math.floor(rand() * (r.boxes.length - 1))) % r.boxes.length;
        if (want('impostor'))
          yield { kind: 'impostor', identity, reference, crop: at(gt, r.boxes[k]!) };
      }
      if (want('noise')) yield { kind: 'noise', identity, reference, crop: at(noise, box) };
    }
    opts.onSample?.();
  }
}

/**
 * Writes `DIR/pairs.bin` (fixed-size records) and `DIR/pairs.json` (layout and provenance). The
 * JSON is rewritten after every sample with the records written so far, so a stopped export
 * is usable up to its last finished sample (readers take `records` records, not the file size).
 */
export function writePairs(atlas: Atlas, opts: PairOptions, dir: string): { records: number } {
  const fd = openSync(join(dir, 'pairs.bin'), 'w');
  const counts: Record<string, number> = {};
  let records = 0;
  let samples = 0;
  const writeMeta = () => {
    const meta = {
      format: 'contextgen-ident-pairs/1',
      record: {
        bytes: PAIR_RECORD_BYTES,
        fields:
          'kind u8, identity u16 LE, reference u8[4][32][32], crop u8[4][32][32] (RGB*mask, mask)',
      },
      kinds: [...PAIR_KINDS],
      counts,
      records,
      samples,
      samplesRequested: opts.samples,
      firstSample: opts.first ?? 0,
      seed: opts.seed,
      split: 'ident/train',
      excludedIdentities: opts.exclude?.size ?? 0,
      identities:
        'training identities (packages/dataset heldout.json excluded) minus the calibration set',
    };
    writeFileSync(join(dir, 'pairs.json'), `${JSON.stringify(meta, null, 1)}\n`);
  };
  try {
    const rec = new Uint8Array(PAIR_RECORD_BYTES);
    let pending: Pair[] = [];
    const flush = () => {
      for (const p of pending) {
        rec[0] = PAIR_KINDS.indexOf(p.kind);
        rec[1] = p.identity & 255;
        rec[2] = p.identity >> 8;
        rec.set(p.reference, 3);
        rec.set(p.crop, 3 + p.reference.length);
        writeSync(fd, rec);
        counts[p.kind] = (counts[p.kind] ?? 0) + 1;
        records++;
      }
      pending = [];
      samples++;
      writeMeta();
    };
    for (const p of identityPairs(atlas, { ...opts, onSample: () => (flush(), opts.onSample?.()) }))
      pending.push(p);
  } finally {
    closeSync(fd);
  }
  return { records };
}
