/**
 * SimpleRNN's fast steps (the equations of src/cells/simple.ts), one JS loop per kernel:
 *   forward  h = tanh(Zx[start + b] + u[b])  (relu when attrs.relu = 1),  u = h_{t−1} Whh
 *   backward da = dh ⊙ (1 − h²)               (relu: dh ⊙ [h > 0])
 */
import * as tf from "@tensorflow/tfjs";
import { outer, type Cell } from "../cells/cell";
import { tanh } from "./math";
import { stepKernel } from "./registry";
import type { FastSteps } from "./steps";

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

const simpleBack = stepKernel<"dh" | "h">(
  "rnnwb.SimpleBack",
  [1],
  ({ ins: { dh, h }, outs: [da], attrs: { relu } }) => {
    for (let j = 0; j < h.length; j++)
      da[j] = relu ? (h[j] > 0 ? dh[j] : 0) : dh[j] * (1 - h[j] * h[j]);
  },
);

export function fastSimple(cell: Cell): FastSteps {
  const relu = +(cell.name === "simple+relu");
  const H = cell.hiddenSize;
  return {
    input: { W: "Wxh", b: "bh" },
    step(p, prev, zx) {
      const B = prev.h.shape[0];
      const u = tf.matMul(prev.h, p.Whh as tf.Tensor2D); //                     h_{t−1} Whh
      const [h] = simpleStep({ zx: zx.all, u }, B, H, { start: zx.start, relu });
      return { next: { h }, cache: {} };
    },
    backStep(_p, pT, { prev, next }, dNext) {
      const [da] = simpleBack({ dh: dNext.h, h: next.h }, prev.h.shape[0], H, { relu });
      return {
        dPrev: { h: tf.matMul(da, pT.Whh as tf.Tensor2D) }, //                  da Whhᵀ
        dzx: da,
        dParams: { Whh: outer(prev.h, da) }, //                                 h_{t−1}ᵀ da
      };
    },
  };
}
