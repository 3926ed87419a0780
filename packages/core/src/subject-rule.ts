/**
 * The one rule for which pixels are the subject: an alpha (or mask) value of at least half
 * coverage, 128 of 255; below that is background. The official ContextGen code binarizes its
 * masks at 0.5 (diffusers' `VaeImageProcessor(do_binarize=True)`), so a soft cutout edge that is
 * less than half opaque is not part of the subject there either.
 *
 * Every path that turns alpha or a graded mask into a subject mask uses this rule: references
 * and layout images in the CLI, the server and the editor's preview, the dataset renderer, the
 * bench's generators and evaluators, and the Python trainer
 * (python/contextgen_train/references.py: SUBJECT_MIN mirrors it; CONTRACTS section 6).
 */
import type { Mask, RgbaImage } from './types.ts';

/** The smallest alpha / mask value (of 255) that counts as the subject. */
export const SUBJECT_MIN = 128;

/** True when an alpha or mask value (0..255) is the subject. */
export function isSubject(value: number): boolean {
  return value >= SUBJECT_MIN;
}

/** The alpha channel as a binary mask: 255 where `isSubject(alpha)`, else 0. */
export function alphaToMask(img: RgbaImage): Mask {
  const data = new Uint8Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = isSubject(img.data[i * 4 + 3]!) ? 255 : 0;
  return { width: img.width, height: img.height, data };
}

/** A graded mask (a mask file, a matting output) as a binary one by the same rule. */
export function binarizeMask(mask: Mask): Mask {
  const data = new Uint8Array(mask.data.length);
  for (let i = 0; i < data.length; i++) data[i] = isSubject(mask.data[i]!) ? 255 : 0;
  return { width: mask.width, height: mask.height, data };
}
