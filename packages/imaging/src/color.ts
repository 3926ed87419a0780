/** sRGB (8-bit) to CIE L*a*b* (D65): the perceptual space the cutout measures distances in. */

const SRGB_TO_LINEAR = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  SRGB_TO_LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

function srgbChannelToLinear(v: number): number {
  if (v <= 0) return 0;
  if (v >= 255) return 1;
  const i = Math.floor(v);
  const f = v - i;
  return SRGB_TO_LINEAR[i]! * (1 - f) + SRGB_TO_LINEAR[Math.min(255, i + 1)]! * f;
}

const XN = 0.95047;
const YN = 1.0;
const ZN = 1.08883;
const EPS = 216 / 24389;
const KAPPA = 24389 / 27;

function labF(t: number): number {
  return t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}

/**
 * Convert one sRGB colour (channels 0..255, fractional allowed) to L*a*b*, written into `out`.
 * L is in 0..100; a ΔE (Euclidean distance) of about 2.3 is a just-noticeable difference.
 */
export function srgbToLab(
  r: number,
  g: number,
  b: number,
  out: Float64Array | number[] = [0, 0, 0],
): Float64Array | number[] {
  const lr = srgbChannelToLinear(r);
  const lg = srgbChannelToLinear(g);
  const lb = srgbChannelToLinear(b);
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / XN;
  const y = (0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb) / YN;
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / ZN;
  const fx = labF(x);
  const fy = labF(y);
  const fz = labF(z);
  out[0] = 116 * fy - 16;
  out[1] = 500 * (fx - fy);
  out[2] = 200 * (fy - fz);
  return out;
}
