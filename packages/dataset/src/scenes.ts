/**
 * Scene types as data: sky and ground gradients (top colour -> bottom colour), texture
 * strength and stretch, horizon range, light colour and how strongly objects cast shadows.
 */
export type Rgb = readonly [number, number, number];

export interface SceneType {
  readonly name: string;
  readonly sky: readonly [Rgb, Rgb];
  readonly ground: readonly [Rgb, Rgb];
  /** Horizon height as a fraction of the image height, [min, max]. */
  readonly horizon: readonly [number, number];
  /** Value-noise amplitude (0..255 units) on sky and ground. */
  readonly skyTexture: number;
  readonly groundTexture: number;
  /** Noise cell size in pixels (x, y): stretched cells give planks, dunes, waves. */
  readonly groundCell: readonly [number, number];
  /** Light colour multipliers (per channel). */
  readonly light: Rgb;
  /** Ground shadow darkness 0..1. */
  readonly shadow: number;
  /** Small bright dots in the sky (stars, bubbles): count range. */
  readonly sparkles: number;
}

export const SCENES: readonly SceneType[] = [
  {
    name: 'beach',
    sky: [
      [110, 180, 245],
      [215, 235, 252],
    ],
    ground: [
      [238, 218, 168],
      [214, 184, 124],
    ],
    horizon: [0.4, 0.55],
    skyTexture: 6,
    groundTexture: 16,
    groundCell: [10, 4],
    light: [1.06, 1.0, 0.9],
    shadow: 0.45,
    sparkles: 0,
  },
  {
    name: 'meadow',
    sky: [
      [95, 160, 235],
      [200, 228, 250],
    ],
    ground: [
      [110, 180, 80],
      [52, 118, 40],
    ],
    horizon: [0.35, 0.5],
    skyTexture: 10,
    groundTexture: 22,
    groundCell: [5, 5],
    light: [1.0, 1.02, 0.94],
    shadow: 0.45,
    sparkles: 0,
  },
  {
    name: 'night',
    sky: [
      [8, 12, 38],
      [38, 48, 92],
    ],
    ground: [
      [36, 44, 58],
      [14, 18, 28],
    ],
    horizon: [0.45, 0.6],
    skyTexture: 4,
    groundTexture: 10,
    groundCell: [8, 6],
    light: [0.62, 0.68, 0.95],
    shadow: 0.3,
    sparkles: 24,
  },
  {
    name: 'snow',
    sky: [
      [170, 192, 218],
      [228, 234, 244],
    ],
    ground: [
      [246, 248, 252],
      [206, 216, 232],
    ],
    horizon: [0.35, 0.5],
    skyTexture: 8,
    groundTexture: 10,
    groundCell: [7, 5],
    light: [0.96, 1.0, 1.08],
    shadow: 0.35,
    sparkles: 0,
  },
  {
    name: 'desert',
    sky: [
      [236, 190, 130],
      [250, 228, 186],
    ],
    ground: [
      [226, 176, 104],
      [186, 124, 66],
    ],
    horizon: [0.4, 0.55],
    skyTexture: 5,
    groundTexture: 20,
    groundCell: [16, 5],
    light: [1.1, 0.96, 0.8],
    shadow: 0.5,
    sparkles: 0,
  },
  {
    name: 'room',
    sky: [
      [206, 186, 162],
      [226, 210, 188],
    ],
    ground: [
      [156, 104, 62],
      [108, 68, 38],
    ],
    horizon: [0.45, 0.6],
    skyTexture: 6,
    groundTexture: 26,
    groundCell: [24, 3],
    light: [1.05, 0.98, 0.88],
    shadow: 0.5,
    sparkles: 0,
  },
  {
    name: 'underwater',
    sky: [
      [18, 70, 130],
      [40, 130, 170],
    ],
    ground: [
      [172, 160, 118],
      [116, 106, 76],
    ],
    horizon: [0.55, 0.7],
    skyTexture: 14,
    groundTexture: 18,
    groundCell: [9, 4],
    light: [0.7, 0.95, 1.06],
    shadow: 0.25,
    sparkles: 10,
  },
  {
    name: 'forest',
    sky: [
      [120, 165, 140],
      [185, 210, 180],
    ],
    ground: [
      [84, 110, 52],
      [48, 66, 30],
    ],
    horizon: [0.4, 0.55],
    skyTexture: 18,
    groundTexture: 24,
    groundCell: [6, 6],
    light: [0.95, 1.02, 0.88],
    shadow: 0.4,
    sparkles: 0,
  },
  {
    name: 'street',
    sky: [
      [160, 182, 206],
      [212, 220, 228],
    ],
    ground: [
      [104, 104, 110],
      [70, 70, 76],
    ],
    horizon: [0.4, 0.55],
    skyTexture: 8,
    groundTexture: 12,
    groundCell: [4, 4],
    light: [1.0, 1.0, 1.0],
    shadow: 0.5,
    sparkles: 0,
  },
  {
    name: 'sunset',
    sky: [
      [244, 110, 84],
      [254, 196, 120],
    ],
    ground: [
      [92, 70, 82],
      [46, 36, 48],
    ],
    horizon: [0.45, 0.6],
    skyTexture: 6,
    groundTexture: 12,
    groundCell: [10, 5],
    light: [1.15, 0.86, 0.74],
    shadow: 0.45,
    sparkles: 0,
  },
];

export function sceneByName(name: string): SceneType {
  const scene = SCENES.find((s) => s.name === name);
  if (!scene)
    throw new Error(
      `unknown scene "${name}"; known scenes: ${SCENES.map((s) => s.name).join(', ')}`,
    );
  return scene;
}
