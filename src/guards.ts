/**
 * Guards at the door: a batch's data is checked before a step runs, so bad data is named as
 * bad data (the tensor, step and row) instead of surfacing later as a NaN loss blamed on the
 * learning rate.
 *
 *   finite:        every x, target ∈ ℝ (no NaN, no ±Infinity)
 *   distribution:  softmax targets y_t[b] ≥ 0 with Σ_j y_t[b, j] = 1 (one-hot, or soft labels)
 *
 * Each check reads the values once (a download of the batch, ~1% of a training step; measured
 * in `npm run bench` as `guards_ms`).
 */
import * as tf from "@tensorflow/tfjs";

/** How far a softmax target row's sum may be from 1 (float32 soft labels, e.g. smoothed). */
const SUM_TOLERANCE = 1e-4;

const badText = (v: number) => (Number.isNaN(v) ? "NaN" : String(v));

/** Σ v·0 is 0 unless some v is NaN or ±Infinity (then NaN): one tight pass. */
function allFinite(v: ArrayLike<number>, from = 0, to = v.length): boolean {
  let z = 0;
  for (let k = from; k < to; k++) z += v[k] * 0;
  return z === 0;
}

/**
 * Throws if any value of `ts[t]` is NaN or infinite, naming the first one:
 * "model: xs[3] has NaN at row 1, column 0; …". `steps` false: a single tensor, no index.
 */
export function checkFinite(
  what: string,
  name: string,
  ts: readonly tf.Tensor2D[],
  steps = true,
): void {
  ts.forEach((x, t) => {
    const v = x.dataSync();
    if (!allFinite(v)) throwNonFinite(what, steps ? `${name}[${t}]` : name, v, x.shape[1]);
  });
}

function throwNonFinite(what: string, where: string, v: ArrayLike<number>, W: number): never {
  let k = 0;
  while (Number.isFinite(v[k])) k++;
  throw new Error(
    `${what}: ${where} has ${badText(v[k])} at row ${Math.floor(k / W)}, column ${k % W}; the data is bad (not the training): clean it, or leave that sequence out`,
  );
}

/**
 * Throws unless every value is finite and every row of every softmax target is a distribution
 * (≥ 0, sums to 1): one-hot or soft labels. `weight(t, b)` = 0 exempts a padded step from
 * being a distribution (its target is never read), not from being finite.
 */
export function checkDistributions(
  what: string,
  name: string,
  ts: readonly tf.Tensor2D[],
  weight?: (t: number, b: number) => number,
  steps = true,
): void {
  ts.forEach((y, t) => {
    const v = y.dataSync();
    const [B, O] = y.shape;
    const where = steps ? `${name}[${t}]` : name;
    if (!allFinite(v)) throwNonFinite(what, where, v, O);
    for (let b = 0; b < B; b++) {
      if (weight && weight(t, b) === 0) continue;
      let sum = 0;
      let min = Infinity;
      for (let j = b * O; j < (b + 1) * O; j++) {
        sum += v[j];
        if (v[j] < min) min = v[j];
      }
      if (min >= 0 && Math.abs(sum - 1) <= SUM_TOLERANCE) continue;
      throw new Error(
        `${what}: ${where} row ${b} is not one-hot (sum ${+sum.toPrecision(4)}, smallest ${+min.toPrecision(4)}); softmax targets must be ≥ 0 and sum to 1 (rnn.oneHot(ids, V) makes them)`,
      );
    }
  });
}
