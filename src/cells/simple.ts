/**
 * SimpleRNN (Elman 1990):
 *
 *   a_t = x_t Wxh + h_{t−1} Whh + bh
 *   h_t = tanh(a_t)          (or relu(a_t))
 *
 * Backward, with dh = ∂L/∂h_t (output gradient plus the one from step t+1):
 *
 *   da = dh ⊙ (1 − h_t²)     (relu: dh ⊙ [h_t > 0])
 *   dWxh += x_tᵀ da,  dWhh += h_{t−1}ᵀ da,  dbh += Σ_batch da
 *   dh_{t−1} = da Whhᵀ,  dx_t = da Wxhᵀ
 */
import * as tf from "@tensorflow/tfjs";
import { bias, glorotUniform, orthogonal, subSeed } from "../init";
import { stepKernel, tanh } from "../kernels";
import { Cell, checkSizes, FusedSteps, outer } from "./cell";

/** Fused forward step: h = tanh(Zx[start + b] + u[b]) (relu when attrs.relu = 1), u = h_{t−1} Whh. */
const simpleStep = stepKernel<"zx" | "u">(
  "rnnwb.SimpleStep",
  [1],
  ({ ins: { zx, u }, outs: [h], attrs: { start, H, relu } }) => {
    const from = start * H; //                                                rows start … of Zx
    for (let j = 0; j < h.length; j++) {
      const a = zx[from + j] + u[j]; //                                       a_t
      h[j] = relu ? (a > 0 ? a : 0) : tanh(a); //                             h_t
    }
  },
);

/** Fused backward step: da = dh ⊙ (1 − h²)  (relu: dh ⊙ [h > 0]). */
const simpleBack = stepKernel<"dh" | "h">(
  "rnnwb.SimpleBack",
  [1],
  ({ ins: { dh, h }, outs: [da], attrs: { relu } }) => {
    for (let j = 0; j < h.length; j++)
      da[j] = relu ? (h[j] > 0 ? dh[j] : 0) : dh[j] * (1 - h[j] * h[j]);
  },
);

function fusedSimple(relu: boolean): FusedSteps {
  return {
    input: { W: "Wxh", b: "bh" },
    step(p, prev, zx) {
      const [B, H] = prev.h.shape;
      const u = tf.matMul(prev.h, p.Whh as tf.Tensor2D); //                     h_{t−1} Whh
      const [h] = simpleStep({ zx: zx.all, u }, B, H, { start: zx.start, relu: +relu });
      return { next: { h }, cache: {} };
    },
    backStep(_p, pT, { prev, next }, dNext) {
      const [B, H] = next.h.shape;
      const [da] = simpleBack({ dh: dNext.h, h: next.h }, B, H, { relu: +relu });
      return {
        dPrev: { h: tf.matMul(da, pT.Whh as tf.Tensor2D) }, //                  da Whhᵀ
        dzx: da,
        dParams: { Whh: outer(prev.h, da) }, //                                 h_{t−1}ᵀ da
      };
    },
  };
}

export interface SimpleRNNOptions {
  inputSize: number;
  hiddenSize: number;
  /** Nonlinearity of the state update. */
  activation?: "tanh" | "relu";
}

export function simpleRNN({ inputSize, hiddenSize, activation = "tanh" }: SimpleRNNOptions): Cell {
  checkSizes("simpleRNN", inputSize, hiddenSize);
  if (activation !== "tanh" && activation !== "relu") {
    throw new Error(
      `simpleRNN: activation must be "tanh" or "relu" (got ${JSON.stringify(activation)})`,
    );
  }
  const H = hiddenSize;
  return {
    name: activation === "tanh" ? "simple" : "simple+relu",
    inputSize,
    hiddenSize,
    carryNames: ["h"],
    shapes: { Wxh: [inputSize, H], Whh: [H, H], bh: [H] },
    fused: fusedSimple(activation === "relu"),
    init: (seed) => ({
      Wxh: glorotUniform(inputSize, H, subSeed(seed, 0)),
      Whh: orthogonal(H, 1, subSeed(seed, 1)),
      bh: bias(H),
    }),

    step({ Wxh, Whh, bh }, prev, x) {
      const a = tf.add(
        tf.add(tf.matMul(x, Wxh as tf.Tensor2D), tf.matMul(prev.h, Whh as tf.Tensor2D)),
        bh,
      ); // [B, H]
      const h = (activation === "tanh" ? tf.tanh(a) : tf.relu(a)) as tf.Tensor2D; //                                          [B, H]
      return { next: { h }, cache: {} };
    },

    backStep(_p, pT, { x, prev, next }, dNext) {
      const dh = dNext.h; //                                                       [B, H]
      const da = (
        activation === "tanh"
          ? tf.mul(dh, tf.sub(1, tf.square(next.h))) //                              tanh' = 1 − h²
          : tf.mul(dh, tf.step(next.h))
      ) as tf.Tensor2D; //                                          relu' = [h > 0]
      return {
        dPrev: { h: tf.matMul(da, pT.Whh as tf.Tensor2D) }, //           da Whhᵀ
        dx: tf.matMul(da, pT.Wxh as tf.Tensor2D), //                     da Wxhᵀ
        dParams: {
          Wxh: outer(x, da), //                                   xᵀ da
          Whh: outer(prev.h, da), //                              h_{t−1}ᵀ da
          bh: tf.sum(da, 0), //                                                    Σ_batch da
        },
      };
    },
  };
}
