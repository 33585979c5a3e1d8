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
 *
 * Initialisation: Wxh Glorot-uniform, bh zeros, Whh orthogonal (default) or, with
 * `recurrentInit: "identity"`, the identity matrix. A ReLU SimpleRNN with the identity Whh and
 * zero biases is the IRNN of Le, Jaitly & Hinton (2015, arXiv:1504.00941).
 */
import * as tf from "@tensorflow/tfjs";
import { bias, glorotUniform, orthogonal, subSeed } from "../init";
import { dTanh } from "../ops";
import { Cell, checkSizes, optionsOf, outer } from "./cell";

export interface SimpleRNNOptions {
  inputSize: number;
  hiddenSize: number;
  /** Nonlinearity of the state update. */
  activation?: "tanh" | "relu";
  /** Initial recurrent matrix Whh: "orthogonal" (default) or "identity" (the IRNN's, with relu). */
  recurrentInit?: "orthogonal" | "identity";
}

export function simpleRNN(options: SimpleRNNOptions): Cell {
  const {
    inputSize,
    hiddenSize,
    activation = "tanh",
    recurrentInit = "orthogonal",
  } = optionsOf("simpleRNN", options);
  checkSizes("simpleRNN", inputSize, hiddenSize);
  if (activation !== "tanh" && activation !== "relu") {
    throw new Error(
      `simpleRNN: activation must be "tanh" or "relu" (got ${JSON.stringify(activation)})`,
    );
  }
  if (recurrentInit !== "orthogonal" && recurrentInit !== "identity") {
    throw new Error(
      `simpleRNN: recurrentInit must be "orthogonal" or "identity" (got ${JSON.stringify(recurrentInit)})`,
    );
  }
  const H = hiddenSize;
  const relu = activation === "relu";
  return {
    name: relu ? "simple+relu" : "simple",
    inputSize,
    hiddenSize,
    carryNames: ["h"],
    shapes: { Wxh: [inputSize, H], Whh: [H, H], bh: [H] },
    init: (seed) => ({
      Wxh: glorotUniform(inputSize, H, subSeed(seed, 0)),
      Whh: recurrentInit === "identity" ? tf.eye(H) : orthogonal(H, 1, subSeed(seed, 1)),
      bh: bias(H),
    }),

    step(o, { Wxh, Whh, bh }, prev, x) {
      const a = o.add(o.add(o.matMul(x, Wxh), o.matMul(prev.h, Whh)), bh); //    a_t   [B, H]
      const h = relu ? o.relu(a) : o.tanh(a); //                                  h_t   [B, H]
      return { next: { h }, cache: {} };
    },

    backStep(o, _p, pT, { x, prev, next }, dNext) {
      const dh = dNext.h; //                                                        [B, H]
      const da = relu ? o.mul(dh, o.step(next.h)) : dTanh(o, dh, next.h); //        relu′ = [h > 0]
      return {
        dPrev: { h: o.matMul(da, pT.Whh) }, //                                      da Whhᵀ
        dx: o.matMul(da, pT.Wxh), //                                                da Wxhᵀ
        dParams: {
          Wxh: outer(x, da), //                                                     xᵀ da
          Whh: outer(prev.h, da), //                                                h_{t−1}ᵀ da
          bh: o.sumRows(da), //                                                     Σ_batch da
        },
      };
    },
  };
}
