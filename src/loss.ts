/**
 * Losses per example, with their gradients (the backward rule beside the forward):
 *
 *   softmax cross-entropy:  ℓ = −Σ_j y_j log softmax(z)_j     ∂ℓ/∂z = softmax(z) − y   (Σ_j y_j = 1)
 *   mean squared error:     ℓ = (1/O) Σ_j (z_j − y_j)²         ∂ℓ/∂z = 2 (z − y) / O
 */
import * as tf from "@tensorflow/tfjs";
import { fastPath } from "./fast/policy";
import { fastSoftmaxCrossEntropy } from "./fast/softmax";

export type LossName = "softmax" | "mse";
export const LOSSES: readonly LossName[] = ["softmax", "mse"];

export interface LossValue {
  /** Per-example loss [B]. */
  losses: tf.Tensor1D;
  /** ∂ℓ_b/∂z_b for each example [B, O]. */
  dz: tf.Tensor2D;
}

export function softmaxCrossEntropy(z: tf.Tensor2D, y: tf.Tensor2D): LossValue {
  if (fastPath()) return fastSoftmaxCrossEntropy(z, y);
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
