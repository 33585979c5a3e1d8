/**
 * The reset-after GRU's fast steps (the equations of src/cells/gru.ts), one JS loop per
 * kernel: z, r, u_n, n and h_t in one pass over [B, H]; the backward rules in another.
 */
import * as tf from "@tensorflow/tfjs";
import { outer, rowSum, type Cell } from "../cells/cell";
import { sigmoid, tanh } from "./math";
import { stepKernel } from "./registry";
import type { FastSteps } from "./steps";

/** Reset after: z, r, u_n = (h Wh + bh)_n, n and h_t from a = Zx[start + b] and u = h Wh. */
const gruStep = stepKernel<"zx" | "u" | "bh" | "hPrev">(
  "rnnwb.GruStep",
  [1, 3, 1],
  ({ ins: { zx, u, bh, hPrev }, outs: [h, gates, un], attrs: { start, B, H } }) => {
    for (let b = 0; b < B; b++) {
      const x = (start + b) * 3 * H; // row of Zx
      const r3 = b * 3 * H; //           row of u and gates
      for (let k = 0; k < H; k++) {
        const j = b * H + k;
        const z = sigmoid(zx[x + k] + u[r3 + k] + bh[k]); //                    update gate
        const r = sigmoid(zx[x + H + k] + u[r3 + H + k] + bh[H + k]); //        reset gate
        const uN = u[r3 + 2 * H + k] + bh[2 * H + k]; //                         u_n
        const n = tanh(zx[x + 2 * H + k] + r * uN); //                           candidate
        gates[r3 + k] = z;
        gates[r3 + H + k] = r;
        gates[r3 + 2 * H + k] = n;
        un[j] = uN;
        h[j] = n + z * (hPrev[j] - n); //                                        z h + (1 − z) n
      }
    }
  },
);

/** Reset after, backward: da = [da_z da_r da_n], du = [da_z da_r da_n ⊙ r], dh ⊙ z. */
const gruBack = stepKernel<"dh" | "gates" | "un" | "hPrev">(
  "rnnwb.GruBack",
  [3, 3, 1],
  ({ ins: { dh, gates, un, hPrev }, outs: [da, du, dhz], attrs: { B, H } }) => {
    for (let b = 0; b < B; b++) {
      const r3 = b * 3 * H;
      for (let k = 0; k < H; k++) {
        const j = b * H + k;
        const z = gates[r3 + k];
        const r = gates[r3 + H + k];
        const n = gates[r3 + 2 * H + k];
        const daz = dh[j] * (hPrev[j] - n) * z * (1 - z); //                    ∂h/∂z = h_{t−1} − n
        const dan = dh[j] * (1 - z) * (1 - n * n); //                            dn ⊙ (1 − n²)
        const dar = dan * un[j] * r * (1 - r); //                                ∂a/∂r = u_n
        da[r3 + k] = du[r3 + k] = daz;
        da[r3 + H + k] = du[r3 + H + k] = dar;
        da[r3 + 2 * H + k] = dan;
        du[r3 + 2 * H + k] = dan * r; //                                         ∂a/∂u_n = r
        dhz[j] = dh[j] * z;
      }
    }
  },
);

export function fastGRU(cell: Cell): FastSteps {
  const H = cell.hiddenSize;
  return {
    input: { W: "Wx", b: "bx" },
    step(p, prev, zx) {
      const B = prev.h.shape[0];
      const u = tf.matMul(prev.h, p.Wh as tf.Tensor2D); //                      h Wh   [B, 3H]
      const [h, gates, un] = gruStep({ zx: zx.all, u, bh: p.bh, hPrev: prev.h }, B, H, {
        start: zx.start,
      });
      return { next: { h }, cache: { gates, un } };
    },
    backStep(_p, pT, { prev, cache }, dNext) {
      const { gates, un } = cache;
      const [da, du, dhz] = gruBack({ dh: dNext.h, gates, un, hPrev: prev.h }, prev.h.shape[0], H);
      return {
        dPrev: { h: tf.add(dhz, tf.matMul(du, pT.Wh as tf.Tensor2D)) as tf.Tensor2D }, // dh ⊙ z + du Whᵀ
        dzx: da,
        dParams: { Wh: outer(prev.h, du), bh: rowSum(du) },
      };
    },
  };
}
