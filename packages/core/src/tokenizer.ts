/** The word-level text tokenizer (CONTRACTS section 3). */

export const PAD_ID = 0;
export const UNK_ID = 1;
export const BOS_ID = 2;

/** Lowercase, non-`[a-z0-9]` to spaces, split on spaces, drop empties. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]/g, ' ')
    .split(' ')
    .filter((w) => w !== '');
}

/** A tokenizer over a vocabulary (`vocab.json`'s `tokens`: id = index). */
export interface WordTokenizer {
  readonly vocab: readonly string[];
  encode(text: string, maxLength: number): number[];
}

/** Build a tokenizer; checks the three reserved tokens sit at ids 0, 1, 2. */
export function createTokenizer(vocab: readonly string[]): WordTokenizer {
  if (vocab[PAD_ID] !== '<pad>' || vocab[UNK_ID] !== '<unk>' || vocab[BOS_ID] !== '<bos>') {
    throw new Error(
      'vocab.json must start with "<pad>", "<unk>", "<bos>" (ids 0, 1, 2); re-export the model vocabulary',
    );
  }
  const ids = new Map<string, number>();
  vocab.forEach((w, i) => {
    if (!ids.has(w)) ids.set(w, i);
  });
  return {
    vocab,
    encode(text: string, maxLength: number): number[] {
      if (!Number.isInteger(maxLength) || maxLength < 1)
        throw new RangeError(`maxLength must be >= 1, got ${maxLength}`);
      const out = [BOS_ID];
      for (const w of words(text)) {
        if (out.length >= maxLength) break;
        out.push(ids.get(w) ?? UNK_ID);
      }
      return out;
    },
  };
}
