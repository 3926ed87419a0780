/**
 * Captions: a global sentence naming the scene and every instance, then a few spatial
 * relations ("left of", "above", "behind", ...), plus the per-instance phrase (the name).
 */
import { words } from '@contextgen/core';
import type { Rng } from './rng.ts';
import { SCENES } from './scenes.ts';

export interface CaptionInstance {
  readonly name: string;
  readonly box: readonly [number, number, number, number];
  readonly z: number;
}

/** Words the caption templates use besides scene and identity names. */
const TEMPLATE_WORDS = [
  'a',
  'an',
  'scene',
  'with',
  'and',
  'the',
  'is',
  'left',
  'right',
  'of',
  'above',
  'below',
  'behind',
  'in',
  'front',
];

export const MAX_RELATIONS = 2;

function article(name: string): string {
  return /^[aeiou]/.test(name) ? 'an' : 'a';
}

function listNames(names: readonly string[]): string {
  const items = names.map((n) => `${article(n)} ${n}`);
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function overlapArea(a: CaptionInstance['box'], b: CaptionInstance['box']): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

function area(b: CaptionInstance['box']): number {
  return (b[2] - b[0]) * (b[3] - b[1]);
}

/** The relation phrase "A <relation> B" for two instances. */
export function relation(a: CaptionInstance, b: CaptionInstance): string {
  if (overlapArea(a.box, b.box) > 0.1 * Math.min(area(a.box), area(b.box)) && a.z !== b.z) {
    return a.z < b.z ? 'behind' : 'in front of';
  }
  const dx = (a.box[0] + a.box[2] - b.box[0] - b.box[2]) / 2;
  const dy = (a.box[1] + a.box[3] - b.box[1] - b.box[3]) / 2;
  if (Math.abs(dx) >= Math.abs(dy)) return dx < 0 ? 'left of' : 'right of';
  return dy < 0 ? 'above' : 'below';
}

/** Global caption: scene and names in order, then up to MAX_RELATIONS relations. */
export function makeCaption(
  scene: string,
  instances: readonly CaptionInstance[],
  rng: Rng,
): string {
  const parts = [
    `${article(scene)} ${scene} scene with ${listNames(instances.map((i) => i.name))}.`,
  ];
  const n = instances.length;
  const relations = Math.min(MAX_RELATIONS, n - 1);
  const used = new Set<string>();
  for (let k = 0; k < relations; k++) {
    const i = rng.int(0, n - 1);
    let j = rng.int(0, n - 2);
    if (j >= i) j++;
    const key = `${Math.min(i, j)}-${Math.max(i, j)}`;
    if (used.has(key)) continue;
    used.add(key);
    const a = instances[i]!;
    const b = instances[j]!;
    parts.push(`the ${a.name} is ${relation(a, b)} the ${b.name}.`);
  }
  return parts.join(' ');
}

/** Every word any caption or phrase can contain, sorted (tokenizer rule, CONTRACTS 3). */
export function captionVocabulary(identityNames: readonly string[]): string[] {
  const all = new Set<string>(TEMPLATE_WORDS);
  for (const s of SCENES) for (const w of words(s.name)) all.add(w);
  for (const name of identityNames) for (const w of words(name)) all.add(w);
  return [...all].sort();
}
