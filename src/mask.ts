/**
 * Masks for variable-length batches: [B, T] of 1 (a real step) and 0 (padding). A padded
 * step leaves the carry unchanged and adds nothing to the loss.
 */
import * as tf from "@tensorflow/tfjs";

/** The mask of right-padded sequences with the given lengths: mask[b][t] = t < lengths[b]. */
export function maskFromLengths(lengths: number[], T: number): tf.Tensor2D {
  if (!Number.isInteger(T) || T <= 0)
    throw new Error(`maskFromLengths: T must be a positive integer (got ${T})`);
  if (!Array.isArray(lengths) || lengths.length === 0)
    throw new Error("maskFromLengths: lengths must be a non-empty array, one length per sequence");
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n <= 0 || n > T)
      throw new Error(`maskFromLengths: lengths[${b}] must be an integer in 1..${T} (got ${n})`);
  });
  const v = new Float32Array(lengths.length * T);
  lengths.forEach((n, b) => v.fill(1, b * T, b * T + n));
  return tf.tensor2d(v, [lengths.length, T]);
}

/** Splits a [B, T] mask into T columns [B, 1] (checked: shape and 0/1 values). */
export function maskSteps(what: string, mask: tf.Tensor2D, B: number, T: number): tf.Tensor2D[] {
  if (
    !(mask instanceof tf.Tensor) ||
    mask.rank !== 2 ||
    mask.shape[0] !== B ||
    mask.shape[1] !== T
  ) {
    const got = mask instanceof tf.Tensor ? `[${mask.shape.join(", ")}]` : typeof mask;
    throw new Error(`${what}: mask must be [${B}, ${T}] (batch, time) of 0 and 1 (got ${got})`);
  }
  const v = mask.dataSync();
  for (let k = 0; k < v.length; k++) {
    if (v[k] !== 0 && v[k] !== 1)
      throw new Error(
        `${what}: mask must hold only 0 and 1 (found ${v[k]} at [${Math.floor(k / T)}, ${k % T}])`,
      );
  }
  const steps: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const col = new Float32Array(B);
    for (let b = 0; b < B; b++) col[b] = v[b * T + t];
    steps.push(tf.tensor2d(col, [B, 1]));
  }
  return steps;
}
