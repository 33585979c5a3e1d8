/**
 * The softmax cross-entropy of loss.ts (ℓ = −Σ_j y_j log softmax(z)_j, ∂ℓ/∂z = softmax(z) − y)
 * in one pass per row: m = max z, s = Σ e^(z−m), ℓ = −Σ y (z − m − log s), dz = e^(z−m)/s − y.
 */
import type * as tf from "@tensorflow/tfjs";
import type { LossValue } from "../loss";
import { exp } from "./math";
import { fused } from "./registry";

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

export function fastSoftmaxCrossEntropy(z: tf.Tensor2D, y: tf.Tensor2D): LossValue {
  const [losses, dz] = softmaxXent({ z, y }, [[z.shape[0]], z.shape]);
  return { losses: losses as tf.Tensor1D, dz: dz as tf.Tensor2D };
}
