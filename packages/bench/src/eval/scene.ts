/**
 * Scene adherence: a nearest-centroid classifier (per-feature standardised distance) on
 * colour statistics of the background, i.e. the pixels outside every instance box. Fitted on
 * ground-truth renders of training identities (`bench calibrate`), stored as data.
 */
import type { Raster } from '../image/raster.ts';
import type { Box } from './box.ts';

export const SCENE_BANDS = 4;

/** Per horizontal band: mean R, G, B (band mean falls back to the image mean); then std R, G, B. */
export function backgroundFeatures(image: Raster, boxes: readonly Box[], margin = 2): number[] {
  const { width: W, height: H, channels: c, data } = image;
  const outside = new Uint8Array(W * H).fill(1);
  for (const b of boxes) {
    const x0 = Math.max(0, Math.floor(b[0]) - margin);
    const y0 = Math.max(0, Math.floor(b[1]) - margin);
    const x1 = Math.min(W, Math.ceil(b[2]) + margin);
    const y1 = Math.min(H, Math.ceil(b[3]) + margin);
    for (let y = y0; y < y1; y++) outside.fill(0, y * W + x0, y * W + x1);
  }
  let use = outside;
  if (!outside.some((v) => v)) use = new Uint8Array(W * H).fill(1); // boxes cover everything
  const sums = Array.from({ length: SCENE_BANDS }, () => [0, 0, 0, 0]);
  const all = [0, 0, 0, 0];
  const sq = [0, 0, 0];
  for (let y = 0; y < H; y++) {
    const band = Math.min(SCENE_BANDS - 1, Math.floor((y / H) * SCENE_BANDS));
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (!use[i]) continue;
      const s = sums[band]!;
      for (let k = 0; k < 3; k++) {
        const v = data[i * c + k]!;
        s[k]! += v;
        all[k]! += v;
        sq[k]! += v * v;
      }
      s[3]!++;
      all[3]!++;
    }
  }
  const f: number[] = [];
  const n = all[3]!;
  for (const s of sums) {
    for (let k = 0; k < 3; k++) f.push(s[3]! > 0 ? s[k]! / s[3]! : all[k]! / n);
  }
  for (let k = 0; k < 3; k++) {
    const m = all[k]! / n;
    f.push(Math.sqrt(Math.max(0, sq[k]! / n - m * m)));
  }
  return f;
}

export interface SceneModel {
  readonly features: string;
  readonly scenes: readonly string[];
  /** centroids[s][f] */
  readonly centroids: readonly (readonly number[])[];
  /** Per-feature scale (pooled within-class standard deviation). */
  readonly scale: readonly number[];
}

export const SCENE_FEATURES_NAME = `bands${SCENE_BANDS}-rgb-mean+std`;

export function fitSceneModel(
  samples: readonly { scene: string; features: readonly number[] }[],
): SceneModel {
  if (samples.length === 0) throw new Error('fitSceneModel: no samples');
  const scenes = [...new Set(samples.map((s) => s.scene))].sort();
  const d = samples[0]!.features.length;
  const centroids = scenes.map((name) => {
    const mine = samples.filter((s) => s.scene === name);
    return Array.from(
      { length: d },
      (_, j) => mine.reduce((a, s) => a + s.features[j]!, 0) / mine.length,
    );
  });
  const scale = Array.from({ length: d }, (_, j) => {
    let ss = 0;
    for (const s of samples) {
      const c = centroids[scenes.indexOf(s.scene)]!;
      ss += (s.features[j]! - c[j]!) ** 2;
    }
    return Math.max(1, Math.sqrt(ss / samples.length));
  });
  return { features: SCENE_FEATURES_NAME, scenes, centroids, scale };
}

export function classifyScene(model: SceneModel, features: readonly number[]): string {
  let best = 0;
  let bestD = Infinity;
  model.centroids.forEach((c, s) => {
    let d = 0;
    for (let j = 0; j < c.length; j++) d += ((features[j]! - c[j]!) / model.scale[j]!) ** 2;
    if (d < bestD) {
      bestD = d;
      best = s;
    }
  });
  return model.scenes[best]!;
}
