/**
 * Losses per example, with their gradients (the backward rule beside the forward):
 *
 *   softmax cross-entropy:  ℓ = −Σ_j y_j log softmax(z)_j     ∂ℓ/∂z = softmax(z) − y   (Σ_j y_j = 1)
 *   mean squared error:     ℓ = (1/O) Σ_j (z_j − y_j)²         ∂ℓ/∂z = 2 (z − y) / O
 */
import * as tf from "@tensorflow/tfjs";
import { exp, fused, fusedAvailable } from "./kernels";

export type LossName = "softmax" | "mse";
export const LOSSES: readonly LossName[] = ["softmax", "mse"];

export interface LossValue {
  /** Per-example loss [B]. */
  losses: tf.Tensor1D;
  /** ∂ℓ_b/∂z_b for each example [B, O]. */
  dz: tf.Tensor2D;
}

/** The same rule fused into one pass per row (kernels.ts): m = max z, s = Σ e^(z−m). */
const softmaxXent = fused<"z" | "y">(
  "rnnwb.SoftmaxXent",
  ({ ins: { z, y }, outs: [losses, dz] }) => {
    const O = z.length / losses.length;
    for (let r = 0; r < losses.length; r++) {
      const row = r * O;
      let m = -Infinity;
      for (let j = 0; j < O; j++) m = Math.max(m, z[row + j]);
      let s = 0;
      for (let j = 0; j < O; j++) s += dz[row + j] = exp(z[row + j] - m); //  e^(z−m), kept
      const logS = Math.log(s);
      let loss = 0;
      for (let j = 0; j < O; j++) {
        loss -= y[row + j] * (z[row + j] - m - logS); //                    −Σ y log softmax(z)
        dz[row + j] = dz[row + j] / s - y[row + j]; //                      softmax − y
      }
      losses[r] = loss;
    }
  },
);

export function softmaxCrossEntropy(z: tf.Tensor2D, y: tf.Tensor2D): LossValue {
  if (fusedAvailable()) {
    const [losses, dz] = softmaxXent({ z, y }, [[z.shape[0]], z.shape]);
    return { losses: losses as tf.Tensor1D, dz: dz as tf.Tensor2D };
  }
  return tf.tidy(() => {
    const logp = tf.logSoftmax(z); //                                   log softmax(z)  [B, O]
    return {
      losses: tf.neg(tf.sum(tf.mul(y, logp), 1)) as tf.Tensor1D, //    −Σ y log p       [B]
      dz: tf.sub(tf.exp(logp), y) as tf.Tensor2D, //                    softmax − y      [B, O]
    };
  });
}

export function meanSquaredError(z: tf.Tensor2D, y: tf.Tensor2D): LossValue {
  return tf.tidy(() => {
    const O = z.shape[1];
    const diff = tf.sub(z, y); //                                        z − y            [B, O]
    return {
      losses: tf.div(tf.sum(tf.square(diff), 1), O) as tf.Tensor1D, //  mean_j (z − y)²  [B]
      dz: tf.mul(diff, 2 / O) as tf.Tensor2D, //                         2 (z − y) / O    [B, O]
    };
  });
}

export function lossFunction(name: LossName): (z: tf.Tensor2D, y: tf.Tensor2D) => LossValue {
  if (name === "softmax") return softmaxCrossEntropy;
  if (name === "mse") return meanSquaredError;
  throw new Error(`loss must be one of ${LOSSES.join(", ")} (got ${JSON.stringify(name)})`);
}
