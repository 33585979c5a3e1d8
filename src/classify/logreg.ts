/**
 * Multinomial logistic regression, the memoryless baseline: all features of an example at once,
 *
 *   p(c | x) = softmax(x W + b)_c        x [B, F], W [F, K], b [K]
 *   L = −(1/B) Σ_b log p(y_b | x_b),   ∂L/∂z = (p − onehot(y)) / B,  dW = xᵀ ∂L/∂z,  db = Σ_b ∂L/∂z
 *
 * trained by mini-batch Adam (tfjs's optimizer on the hand gradient above), seeded.
 */
import * as tf from "@tensorflow/tfjs";
import { glorotUniform } from "../init";
import { shuffledBatches } from "../bucket";

export interface LogisticRegressionData {
  /** Features, example i at [i·F, (i + 1)·F). */
  features: ArrayLike<number>;
  labels: ArrayLike<number>;
  /** Number of features F per example. */
  width: number;
  /** Number of classes K. */
  classes: number;
  /** Turns raw features into model inputs (e.g. pixels / 255); default: as they are. */
  scale?: (v: number) => number;
}

export interface LogisticRegression {
  /** The most probable class of each example. */
  predict(data: Pick<LogisticRegressionData, "features">): number[];
  /** Training loss of each step. */
  losses: number[];
  seconds: number;
  dispose(): void;
}

/** Rows `ids` of the features as a [B, F] tensor. */
function rowsOf(d: Pick<LogisticRegressionData, "features" | "width" | "scale">, ids: number[]) {
  const { features: f, width: F, scale = (v: number) => v } = d;
  const v = new Float32Array(ids.length * F);
  ids.forEach((i, b) => {
    for (let j = 0; j < F; j++) v[b * F + j] = scale(f[i * F + j]);
  });
  return tf.tensor2d(v, [ids.length, F]);
}

export function logisticRegression(
  data: LogisticRegressionData,
  { epochs = 10, batchSize = 128, learningRate = 1e-3, seed = 0 } = {},
): LogisticRegression {
  const { width: F, classes: K, labels } = data;
  const N = labels.length;
  if (!(Number.isInteger(F) && F > 0 && data.features.length === N * F))
    throw new Error(
      `logisticRegression: features must hold labels.length × width = ${N} × ${F} values (got ${data.features.length})`,
    );
  if (!(Number.isInteger(epochs) && epochs > 0))
    throw new Error(`logisticRegression: epochs must be a positive integer (got ${epochs})`);
  const t0 = performance.now();
  const [W0, b0] = [glorotUniform(F, K, seed), tf.zeros([K])];
  const W = tf.variable(W0); //                                                           [F, K]
  const b = tf.variable(b0); //                                                           [K]
  tf.dispose([W0, b0]); //                                     the variables hold their own copy
  const opt = tf.train.adam(learningRate);
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    for (const ids of shuffledBatches(N, batchSize, seed * 1000 + e)) {
      const loss = tf.tidy(() => {
        const x = rowsOf(data, ids); //                                                     [B, F]
        const y = tf
          .oneHot(
            tf.tensor1d(
              ids.map((i) => labels[i]),
              "int32",
            ),
            K,
          )
          .toFloat();
        const z = tf.add(tf.matMul(x, W), b); //                                             [B, K]
        const dz = tf.div(tf.sub(tf.softmax(z), y), ids.length); //                     ∂L/∂z
        opt.applyGradients({ [W.name]: tf.matMul(x, dz, true), [b.name]: tf.sum(dz, 0) });
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(z)), 1))).dataSync()[0];
      });
      losses.push(loss);
    }
  }
  return {
    losses,
    seconds: (performance.now() - t0) / 1000,
    predict({ features }) {
      const n = features.length / F;
      const out: number[] = [];
      for (let s = 0; s < n; s += 1000) {
        const ids = Array.from({ length: Math.min(1000, n - s) }, (_, k) => s + k);
        const best = tf.tidy(() =>
          tf.add(tf.matMul(rowsOf({ ...data, features }, ids), W), b).argMax(1),
        );
        out.push(...best.dataSync());
        best.dispose();
      }
      return out;
    },
    dispose() {
      tf.dispose([W, b]);
      opt.dispose();
    },
  };
}
