/**
 * The committed bench sets, as data. `make-sets` renders candidates and writes
 * bench/sets/<name>.json; `bench run --set <name>` reads them back.
 */
import type { BenchSet } from './bench-set.ts';
import type { LevelSpec } from './make-set.ts';

export interface SetSpec {
  readonly name: string;
  readonly description: string;
  readonly identities: BenchSet['identities'];
  readonly render: BenchSet['render'];
  readonly levels: readonly LevelSpec[];
  readonly maxOccluded: number;
}

const RENDER = { size: 128, refSize: 64, seed: 20261126 } as const;
const MAIN_LEVELS: LevelSpec[] = [2, 3, 4, 5, 6].map((level) => ({ level, count: 160 }));

export const SET_SPECS: readonly SetSpec[] = [
  {
    name: 'heldout',
    description:
      'IMIG-Synth-Bench main set: 800 cases, 160 per level L2-L6, held-out identities only (identity transfer, not memorisation).',
    identities: 'heldout',
    render: { ...RENDER, split: 'bench/heldout' },
    levels: MAIN_LEVELS,
    maxOccluded: 0.3,
  },
  {
    name: 'train-ids',
    description:
      'Same shape as heldout on training identities (new scenes and poses): the gap to heldout measures memorisation.',
    identities: 'train',
    render: { ...RENDER, split: 'bench/train-ids' },
    levels: MAIN_LEVELS,
    maxOccluded: 0.3,
  },
  {
    name: 'crowded',
    description: 'Crowded scenes: 40 cases each at L7 and L8, held-out identities.',
    identities: 'heldout',
    render: { ...RENDER, split: 'bench/crowded' },
    levels: [
      { level: 7, count: 40 },
      { level: 8, count: 40 },
    ],
    maxOccluded: 0.45,
  },
  {
    name: 'calibration',
    description:
      'Evaluator calibration only (never a benchmark): training identities, 40 cases per level L2-L6, disjoint split.',
    identities: 'train',
    render: { ...RENDER, split: 'bench/calibration' },
    levels: [2, 3, 4, 5, 6].map((level) => ({ level, count: 40 })),
    maxOccluded: 0.3,
  },
];
