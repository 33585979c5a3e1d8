/**
 * A character vocabulary: the sorted distinct characters of a text, each with an index.
 *
 * Unknown characters (in text encoded later) are an error listing the vocabulary, unless an
 * `unknown` character is given: then they map to it (it joins the vocabulary). Failing loudly is
 * the default because a silently replaced character changes what the model learns.
 */

export interface Vocabulary {
  /** The characters, index = id. */
  readonly chars: readonly string[];
  readonly size: number;
  /** The character unknown ones map to, if any. */
  readonly unknown?: string;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
}

const shown = (c: string) => JSON.stringify(c);

export function vocabulary(
  source: string | readonly string[],
  { unknown }: { unknown?: string } = {},
): Vocabulary {
  if (unknown !== undefined && [...unknown].length !== 1)
    throw new Error(`vocabulary: unknown must be one character (got ${shown(unknown)})`);
  const set = new Set(typeof source === "string" ? [...source] : source);
  if (unknown !== undefined) set.add(unknown);
  const chars = [...set].sort();
  if (chars.length === 0) throw new Error("vocabulary: the text is empty");
  const index = new Map(chars.map((c, k) => [c, k]));
  return {
    chars,
    size: chars.length,
    unknown,
    encode(text) {
      const cs = [...text];
      const out = new Int32Array(cs.length);
      cs.forEach((c, k) => {
        const id = index.get(c) ?? (unknown !== undefined ? index.get(unknown) : undefined);
        if (id === undefined) {
          throw new Error(
            `vocabulary: character ${shown(c)} at position ${k} is not in the vocabulary of ${chars.length}: ${chars.map(shown).join(" ")} (give { unknown } to map such characters)`,
          );
        }
        out[k] = id;
      });
      return out;
    },
    decode(ids) {
      let s = "";
      for (let k = 0; k < ids.length; k++) {
        const c = chars[ids[k]];
        if (c === undefined)
          throw new Error(
            `vocabulary: id ${ids[k]} at position ${k} is outside 0…${chars.length - 1}`,
          );
        s += c;
      }
      return s;
    },
  };
}
