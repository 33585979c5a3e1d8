/**
 * One-hot rows: `oneHot([2, 0], 3)` is [[0, 0, 1], [1, 0, 0]] (float32, [ids.length, V]).
 *
 * Written into a Float32Array directly (no int32 tensor and tf.oneHot, nothing to tidy), so the
 * result is the only tensor it creates. Each id must be an integer in 0 … V − 1.
 */
import * as tf from "@tensorflow/tfjs";

export function oneHot(ids: ArrayLike<number>, V: number): tf.Tensor2D {
  if (!Number.isInteger(V) || V <= 0)
    throw new Error(`oneHot: V must be a positive integer (got ${V})`);
  const n = ids.length;
  const v = new Float32Array(n * V);
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= V)
      throw new Error(`oneHot: ids[${i}] = ${id} is not an integer in 0…${V - 1} (V = ${V})`);
    v[i * V + id] = 1;
  }
  return tf.tensor2d(v, [n, V]);
}
