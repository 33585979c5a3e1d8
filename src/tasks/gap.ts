/**
 * "Mind the gap": remember the first symbol across T steps.
 *
 *   x_1 = one-hot(d) on channels 0…V−1,  every x_t also carries uniform noise in [−1, 1] on
 *   channels V…2V−1,  target after step T: d  (chance 1/V).
 *
 * The noise arrives at every step, so a cell must keep d while ignoring new input: a gated cell
 * can close its input gate and keep its forget gate near 1; a SimpleRNN must carry d through T
 * applications of tanh(· W_hh), and the gradient from the loss has to travel back as far.
 */
import * as tf from "@tensorflow/tfjs";
import { rng } from "../init";
import { oneHot } from "../onehot";

export interface GapBatch {
  /** T inputs [B, 2V]. */
  xs: tf.Tensor2D[];
  /** One-hot target [B, V]: the first symbol. */
  target: tf.Tensor2D;
  /** The first symbols. */
  symbols: number[];
}

export interface GapOptions {
  /** Sequence length (the gap). */
  T: number;
  batch: number;
  seed: number;
  /** Number of symbols V (chance = 1/V). */
  symbols?: number;
}

export function firstSymbolBatch({ T, batch, seed, symbols = 4 }: GapOptions): GapBatch {
  if (!Number.isInteger(T) || T <= 0)
    throw new Error(`firstSymbolBatch: T must be a positive integer (got ${T})`);
  if (!Number.isInteger(batch) || batch <= 0)
    throw new Error(`firstSymbolBatch: batch must be a positive integer (got ${batch})`);
  const V = symbols;
  const r = rng(seed);
  const ids = Array.from({ length: batch }, () => Math.floor(r() * V));
  const xs = Array.from({ length: T }, (_, t) => {
    const v = new Float32Array(batch * 2 * V);
    ids.forEach((d, b) => {
      if (t === 0) v[b * 2 * V + d] = 1;
      for (let k = 0; k < V; k++) v[b * 2 * V + V + k] = 2 * r() - 1;
    });
    return tf.tensor2d(v, [batch, 2 * V]);
  });
  const target = oneHot(ids, V);
  return { xs, target, symbols: ids };
}
