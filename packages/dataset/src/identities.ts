/**
 * The identities of IMIG-Synth: base Noto emoji of `emoji-datasource-google` (no flags, no
 * skin-tone or hair components; skin-tone variants are not separate entries there).
 */

/** One entry of the package's emoji.json, the fields we read. */
export interface EmojiEntry {
  readonly name: string | null;
  readonly short_name: string;
  readonly image: string;
  readonly category: string;
  readonly sort_order: number;
  readonly has_img_google: boolean;
}

export interface Identity {
  /** Stable key: the emoji's short name, e.g. `grinning`. */
  readonly key: string;
  /** Human name used in captions and phrases, lowercase, e.g. `grinning face`. */
  readonly name: string;
  readonly category: string;
  /** Image file name inside `img/google/64/`. */
  readonly image: string;
}

const EXCLUDED_CATEGORIES = new Set(['Flags', 'Component']);

/** Human name of an emoji: lowercase, `:` and `,` kept out, single spaces. */
export function emojiName(entry: EmojiEntry): string {
  const raw = entry.name ?? entry.short_name.replace(/_/g, ' ');
  return raw.toLowerCase().replace(/[:,]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Select and order the identities (by the package's sort order, then key). */
export function selectIdentities(entries: readonly EmojiEntry[]): Identity[] {
  return entries
    .filter((e) => e.has_img_google && !EXCLUDED_CATEGORIES.has(e.category))
    .slice()
    .sort((a, b) => a.sort_order - b.sort_order || (a.short_name < b.short_name ? -1 : 1))
    .map((e) => ({ key: e.short_name, name: emojiName(e), category: e.category, image: e.image }));
}
