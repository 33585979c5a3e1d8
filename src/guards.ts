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

/** Σ v·0 is 0 unless some v is NaN or ±Infinity (then NaN): one pass, four sums in flight. */
function allFinite(v: ArrayLike<number>): boolean {
  let [a, b, c, d] = [0, 0, 0, 0];
  const n = v.length - (v.length % 4);
  for (let k = 0; k < n; k += 4) {
    a += v[k] * 0;
    b += v[k + 1] * 0;
    c += v[k + 2] * 0;
    d += v[k + 3] * 0;
  }
  for (let k = n; k < v.length; k++) a += v[k] * 0;
  return a + b + c + d === 0;
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

/** Throws naming the first NaN or ±Infinity of `v`, if there is one. */
function throwNonFinite(what: string, where: string, v: ArrayLike<number>, W: number): void {
  let k = 0;
  while (k < v.length && Number.isFinite(v[k])) k++;
  if (k === v.length) return;
  throw new Error(
    `${what}: ${where} has ${badText(v[k])} at row ${Math.floor(k / W)}, column ${k % W}; the data is bad (not the training): clean it, or leave that sequence out`,
  );
}

/**
 * Throws unless every value is finite and every row of every softmax target is a distribution
 * (≥ 0, sums to 1): one-hot or soft labels. `weight(t, b)` = 0 exempts a padded step from
 * being a distribution (its target is never read), not from being finite. One pass: a row's
 * sum is NaN or ±Infinity when a value in it is.
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
    for (let b = 0; b < B; b++) {
      let sum = 0;
      let negative = false;
      for (let j = b * O; j < (b + 1) * O; j++) {
        sum += v[j];
        negative ||= v[j] < 0;
      }
      const padded = weight !== undefined && weight(t, b) === 0;
      if (Math.abs(sum - 1) <= SUM_TOLERANCE && !negative) continue;
      if (!Number.isFinite(sum)) throwNonFinite(what, where, v, O);
      if (padded) continue;
      let min = Infinity;
      for (let j = b * O; j < (b + 1) * O; j++) min = Math.min(min, v[j]);
      throw new Error(
        `${what}: ${where} row ${b} is not one-hot (sum ${+sum.toPrecision(4)}, smallest ${+min.toPrecision(4)}); softmax targets must be ≥ 0 and sum to 1 (rnn.oneHot(ids, V) makes them)`,
      );
    }
  });
}
