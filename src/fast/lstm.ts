/**
 * The plain LSTM's fast steps (the equations of src/cells/lstm.ts): the gate math of a step is
 * one call of a SIMD function of lstm.wat beside this file (`lstm_step`, `lstm_back`, one line
 * per equation, four columns at a time), on the wasm backend's memory.
 *
 * The cache differs from the reference step's: `s` [B, 4H] holds σ over all four blocks with
 * the g block's input doubled (so g = 2 s_g − 1 = tanh z_g), and `tanhC` = tanh(c_t).
 */
import * as tf from "@tensorflow/tfjs";
import { outer, type Cell } from "../cells/cell";
import { simdKernel } from "./registry";
import type { FastSteps } from "./steps";

const lstmStep = simdKernel<"zx" | "u" | "cPrev">(
  "rnnwb.LstmStep",
  "lstm",
  "lstm_step",
  [1, 1, 1, 4], //                                                               h, c, tanh(c), s
  ({ zx, u, cPrev }, [h, c, tanhC, s], { start, B, H }) => [
    zx + start * 4 * H * 4, //                                                   row `start` of Zx
    u,
    cPrev,
    h,
    c,
    tanhC,
    s,
    B,
    H,
  ],
);

const lstmBack = simdKernel<"dh" | "dc" | "s" | "tanhC" | "cPrev">(
  "rnnwb.LstmBack",
  "lstm",
  "lstm_back",
  [4, 1], //                                                                     dz, dc_{t−1}
  ({ dh, dc, s, tanhC, cPrev }, [dz, dcPrev], { B, H }) => [
    dh,
    dc,
    s,
    tanhC,
    cPrev,
    dz,
    dcPrev,
    B,
    H,
  ],
);

/** The fast steps of the plain LSTM; H ≥ 4 (the SIMD vectors), else undefined. */
export function fastLSTM(cell: Cell): FastSteps | undefined {
  const H = cell.hiddenSize;
  if (H < 4) return undefined;
  return {
    input: { W: "Wx", b: "b" },
    step(p, prev, zx) {
      const B = prev.h.shape[0];
      const u = tf.matMul(prev.h, p.Wh as tf.Tensor2D); //                        h_{t−1} Wh  [B, 4H]
      const [h, c, tanhC, s] = lstmStep({ zx: zx.all, u, cPrev: prev.c }, B, H, {
        start: zx.start,
      });
      return { next: { h, c }, cache: { s, tanhC } };
    },
    backStep(_p, pT, { prev, cache }, dNext) {
      const { s, tanhC } = cache;
      const [dz, dcPrev] = lstmBack(
        { dh: dNext.h, dc: dNext.c, s, tanhC, cPrev: prev.c },
        prev.h.shape[0],
        H,
      );
      return {
        dPrev: { h: tf.matMul(dz, pT.Wh as tf.Tensor2D), c: dcPrev }, //           dz Whᵀ
        dzx: dz,
        dParams: { Wh: outer(prev.h, dz) }, //                                    h_{t−1}ᵀ dz
      };
    },
  };
}
