/**
 * Scores of predicted token sequences (phonemes of a G2P model) against references:
 *
 *   edit(a, b) = Levenshtein distance: the fewest substitutions, deletions and insertions
 *                turning a into b, each costing 1
 *   WER = (words whose prediction equals none of their reference pronunciations) / words
 *   PER = Σ_words min_r edit(pred, r) / Σ_words |r*|     r* = the closest reference
 *
 * A word may have several correct pronunciations ("read": R EH D, R IY D); a prediction is
 * scored against the closest one (ties → the shorter, then the first), so it is correct when
 * it equals ANY of them.
 */

/** One step of an alignment: ref token kept, replaced, deleted, or a hyp token inserted. */
export type EditOp<T> =
  | { op: "match"; ref: T; hyp: T }
  | { op: "sub"; ref: T; hyp: T }
  | { op: "del"; ref: T }
  | { op: "ins"; hyp: T };

export interface ErrorRates {
  /** Word error rate: the share of words predicted wrong. */
  wer: number;
  /** Phoneme error rate: phoneme errors / referencePhonemes. */
  per: number;
  words: number;
  /** Σ edit distances to each word's closest reference. */
  phonemeErrors: number;
  /** Σ lengths of those closest references. */
  referencePhonemes: number;
}

export interface Confusion {
  /** The reference token ("" for an insertion). */
  ref: string;
  /** The predicted token ("" for a deletion). */
  hyp: string;
  count: number;
}

/** The Levenshtein distance between two token sequences (two rows of the DP table). */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1), prev[j] + 1, row[j - 1] + 1);
    prev = row;
  }
  return prev[b.length];
}

/**
 * The edit operations of one optimal alignment of `hyp` to `ref`, in order; the number of
 * non-match operations is editDistance(ref, hyp). Ties prefer match/sub, then del, then ins.
 */
export function alignment<T>(ref: ArrayLike<T>, hyp: ArrayLike<T>): EditOp<T>[] {
  const [n, m] = [ref.length, hyp.length];
  const d = Array.from({ length: n + 1 }, (_, i) =>
    Array.from({ length: m + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= n; i++)
    for (let j = 1; j <= m; j++)
      d[i][j] = Math.min(
        d[i - 1][j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1),
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
      );
  const ops: EditOp<T>[] = [];
  let [i, j] = [n, m];
  while (i > 0 || j > 0) {
    //                                                             walk back from the corner
    const same = i > 0 && j > 0 && ref[i - 1] === hyp[j - 1];
    if (i > 0 && j > 0 && d[i][j] === d[i - 1][j - 1] + (same ? 0 : 1)) {
      ops.push({ op: same ? "match" : "sub", ref: ref[i - 1], hyp: hyp[j - 1] });
      [i, j] = [i - 1, j - 1];
    } else if (i > 0 && d[i][j] === d[i - 1][j] + 1) {
      ops.push({ op: "del", ref: ref[--i] });
    } else {
      ops.push({ op: "ins", hyp: hyp[--j] });
    }
  }
  return ops.reverse();
}

/** Checks predictions against references: same count, at least one, each word a reference. */
function checkPairs(
  what: string,
  predictions: readonly (readonly string[])[],
  references: readonly (readonly (readonly string[])[])[],
): void {
  if (!Array.isArray(predictions) || !Array.isArray(references))
    throw new Error(`${what}: predictions and references must be arrays (one entry per word)`);
  if (predictions.length !== references.length)
    throw new Error(
      `${what}: ${predictions.length} predictions but ${references.length} reference lists; ` +
        `give one of each per word`,
    );
  if (predictions.length === 0) throw new Error(`${what}: no words; give at least one`);
  references.forEach((refs, w) => {
    if (!Array.isArray(refs) || refs.length === 0)
      throw new Error(`${what}: word ${w} has no reference pronunciation; give at least one`);
    refs.forEach((r, k) => {
      if (!Array.isArray(r) || r.length === 0)
        throw new Error(`${what}: references[${w}][${k}] is empty; a pronunciation has tokens`);
    });
  });
}

/** The reference closest to `pred` (ties → the shorter, then the first) and its distance. */
function closest(
  pred: readonly string[],
  refs: readonly (readonly string[])[],
): { ref: readonly string[]; distance: number } {
  let best = { ref: refs[0], distance: editDistance(pred, refs[0]) };
  for (const ref of refs.slice(1)) {
    const distance = editDistance(pred, ref);
    if (distance < best.distance || (distance === best.distance && ref.length < best.ref.length))
      best = { ref, distance };
  }
  return best;
}

/**
 * WER and PER of `predictions[w]` against the pronunciations `references[w]` of each word w;
 * a word counts as correct when its prediction equals ANY of its references (see the file
 * header for the equations).
 */
export function errorRates(
  predictions: readonly (readonly string[])[],
  references: readonly (readonly (readonly string[])[])[],
): ErrorRates {
  checkPairs("errorRates", predictions, references);
  let [wrong, phonemeErrors, referencePhonemes] = [0, 0, 0];
  predictions.forEach((pred, w) => {
    const { ref, distance } = closest(pred, references[w]);
    if (distance > 0) wrong++;
    phonemeErrors += distance;
    referencePhonemes += ref.length;
  });
  const words = predictions.length;
  return {
    wer: wrong / words,
    per: phonemeErrors / referencePhonemes,
    words,
    phonemeErrors,
    referencePhonemes,
  };
}

/**
 * The `top` most frequent errors (substitutions, deletions, insertions) of the predictions
 * against each word's closest reference, sorted by count (descending), then ref, then hyp.
 */
export function confusions(
  predictions: readonly (readonly string[])[],
  references: readonly (readonly (readonly string[])[])[],
  { top = 20 }: { top?: number } = {},
): Confusion[] {
  if (!(Number.isInteger(top) && top > 0))
    throw new Error(`confusions: top must be a positive integer (got ${top})`);
  checkPairs("confusions", predictions, references);
  const counts = new Map<string, Confusion>();
  predictions.forEach((pred, w) => {
    for (const e of alignment(closest(pred, references[w]).ref, pred)) {
      if (e.op === "match") continue;
      const [ref, hyp] = [e.op === "ins" ? "" : e.ref, e.op === "del" ? "" : e.hyp];
      const key = `${ref}\u0000${hyp}`;
      const c = counts.get(key) ?? { ref, hyp, count: 0 };
      c.count++;
      counts.set(key, c);
    }
  });
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || cmp(a.ref, b.ref) || cmp(a.hyp, b.hyp))
    .slice(0, top);
}
