/** Parse a model folder's `vocab.json` (`{"tokens": [...]}`, CONTRACTS section 3). */
import { createTokenizer } from '@contextgen/core';

export function parseVocab(json: unknown, source: string): string[] {
  const tokens = (json as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string')) {
    throw new Error(`${source}: expected {"tokens": [...strings]}; re-export the model vocabulary`);
  }
  try {
    createTokenizer(tokens as string[]);
  } catch (err) {
    throw new Error(`${source}: ${(err as Error).message}`);
  }
  return tokens as string[];
}
