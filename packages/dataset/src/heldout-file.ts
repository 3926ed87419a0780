/** Regenerate packages/dataset/heldout.json from the installed emoji package (deterministic rule). */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseHeldout, HELDOUT_FRACTION } from './heldout.ts';
import { selectIdentities } from './identities.ts';
import type { EmojiEntry } from './identities.ts';

export const HELDOUT_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'heldout.json');

export interface HeldoutFile {
  readonly rule: string;
  readonly fraction: number;
  readonly identities: number;
  readonly count: number;
  readonly heldout: string[];
}

export function computeHeldoutFile(): HeldoutFile {
  const require = createRequire(import.meta.url);
  const entries = JSON.parse(
    readFileSync(require.resolve('emoji-datasource-google/emoji.json'), 'utf8'),
  ) as EmojiEntry[];
  const identities = selectIdentities(entries);
  const heldout = chooseHeldout(identities);
  return {
    rule: 'per category in sort order, index i held out when floor((i+1)*0.15) > floor(i*0.15)',
    fraction: HELDOUT_FRACTION,
    identities: identities.length,
    count: heldout.length,
    heldout,
  };
}

export function writeHeldoutFile(path: string = HELDOUT_PATH): HeldoutFile {
  const file = computeHeldoutFile();
  writeFileSync(path, `${JSON.stringify(file, null, 1)}\n`);
  return file;
}
