/**
 * Word tokens and a token vocabulary for text classification:
 *
 *   tokens("Win $1000 NOW!!")  →  ["win", "$", "<num>", "now", "!", "!"]
 *   ids: <pad> = 0 (padding), <unk> = 1 (a token outside the vocabulary), then by frequency
 *
 * Lower-cased; URLs, e-mail addresses and numbers become <url>, <email>, <num>; "$", "!" and
 * "%" are tokens of their own (their counts matter in spam).
 */

export const PAD = 0;
export const UNK = 1;

/** The word tokens of a text. */
export function wordTokens(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/(https?:\/\/|www\.)\S+/g, " <url> ")
      .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, " <email> ")
      .match(/<(url|email)>|[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[$!%]/g) ?? []
  ).map((t) => (/^\d/.test(t) ? "<num>" : t));
}

export interface TokenVocabulary {
  /** Token of each id: "<pad>", "<unk>", then the most frequent tokens. */
  readonly tokens: readonly string[];
  readonly size: number;
  /** Ids of a token list: unknown tokens → <unk>, at most `maxLength` (the first ones). */
  encode(tokens: readonly string[], options?: { maxLength?: number }): number[];
  decode(ids: readonly number[]): string[];
}

/**
 * The `maxSize` most frequent tokens (ties in first-seen order) seen at least `minCount` times
 * in the training texts, after <pad> and <unk>.
 */
export function tokenVocabulary(
  lists: readonly (readonly string[])[],
  { maxSize = 20000, minCount = 1 }: { maxSize?: number; minCount?: number } = {},
): TokenVocabulary {
  if (!(Number.isInteger(maxSize) && maxSize >= 3))
    throw new Error(
      `tokenVocabulary: maxSize must be an integer ≥ 3 (got ${maxSize}), <pad> and <unk> included`,
    );
  if (!(Number.isInteger(minCount) && minCount >= 1))
    throw new Error(`tokenVocabulary: minCount must be a positive integer (got ${minCount})`);
  const counts = new Map<string, number>();
  for (const l of lists) for (const t of l) counts.set(t, (counts.get(t) ?? 0) + 1);
  const kept = [...counts]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1])
    .slice(0, maxSize - 2)
    .map(([t]) => t);
  const tokens = ["<pad>", "<unk>", ...kept];
  const index = new Map(tokens.map((t, i) => [t, i]));
  return {
    tokens,
    size: tokens.length,
    encode(list, { maxLength } = {}) {
      if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength > 0))
        throw new Error(`encode: maxLength must be a positive integer (got ${maxLength})`);
      return list.slice(0, maxLength ?? list.length).map((t) => index.get(t) ?? UNK);
    },
    decode: (ids) => ids.map((i) => tokens[i] ?? "<unk>"),
  };
}
