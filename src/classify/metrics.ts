/**
 * Classification metrics from true and predicted labels:
 *
 *   accuracy  = #{y = ŷ} / N
 *   confusion C[a][b] = #{y = a, ŷ = b}          (row: true class, column: predicted)
 *   precision = TP / (TP + FP),  recall = TP / (TP + FN),  F1 = 2 P R / (P + R)   for class c
 *
 * A ratio whose denominator is 0 (no prediction of c, no example of c) is 0, as scikit-learn's
 * `zero_division=0`.
 */

/** Checks two label lists of the same non-zero length, integers in 0 … K − 1. */
function checkLabels(
  what: string,
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  K?: number,
) {
  if (truth.length === 0 || truth.length !== predicted.length)
    throw new Error(
      `${what}: needs as many predictions as labels, at least one (got ${predicted.length} and ${truth.length})`,
    );
  if (K === undefined) return;
  for (const [name, v] of [
    ["labels", truth],
    ["predictions", predicted],
  ] as const)
    for (let i = 0; i < v.length; i++)
      if (!(Number.isInteger(v[i]) && v[i] >= 0 && v[i] < K))
        throw new Error(`${what}: ${name}[${i}] is ${v[i]}, outside the classes 0..${K - 1}`);
}

/** Share of predictions equal to the label. */
export function accuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  checkLabels("accuracy", truth, predicted);
  let hit = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) hit++;
  return hit / truth.length;
}

/** C[a][b] = number of examples of class a predicted as b; K classes. */
export function confusionMatrix(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  K: number,
): number[][] {
  if (!(Number.isInteger(K) && K >= 2))
    throw new Error(`confusionMatrix: K must be an integer ≥ 2 (got ${K})`);
  checkLabels("confusionMatrix", truth, predicted, K);
  const C = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < truth.length; i++) C[truth[i]][predicted[i]]++;
  return C;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Number of examples of the class. */
  support: number;
}

/** Precision, recall and F1 of class `positive` (e.g. 1 = spam). */
export function classScores(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  positive = 1,
): ClassScores {
  checkLabels("classScores", truth, predicted);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const [t, p] = [truth[i] === positive, predicted[i] === positive];
    if (t && p) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    support: tp + fn,
  };
}
