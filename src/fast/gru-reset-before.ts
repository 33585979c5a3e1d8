/**
 * The reset-before GRU's fast steps (the equations of src/cells/gru-reset-before.ts): two
 * kernels around the product (r ⊙ h) Whn forward, two around da_n Whnᵀ backward.
 */
import * as tf from "@tensorflow/tfjs";
import { outer, type Cell } from "../cells/cell";
import { sigmoid, tanh } from "./math";
import { stepKernel } from "./registry";
import type { FastSteps } from "./steps";

/** Reset before, part 1: z, r and r ⊙ h_{t−1} from a = Zx[start + b] and u = h Whzr. */
const gruGates = stepKernel<"zx" | "u" | "hPrev">(
  "rnnwb.GruGates",
  [2, 1],
  ({ ins: { zx, u, hPrev }, outs: [zr, rh], attrs: { start, B, H } }) => {
    for (let b = 0; b < B; b++) {
      const x = (start + b) * 3 * H;
      const r2 = b * 2 * H;
      for (let k = 0; k < H; k++) {
        const r = sigmoid(zx[x + H + k] + u[r2 + H + k]); //                     reset gate
        zr[r2 + k] = sigmoid(zx[x + k] + u[r2 + k]); //                          update gate
        zr[r2 + H + k] = r;
        rh[b * H + k] = r * hPrev[b * H + k]; //                                 r ⊙ h_{t−1}
      }
    }
  },
);

/** Reset before, part 2: n = tanh(a_n + (r ⊙ h) Whn) and h_t. */
const gruCandidate = stepKernel<"zx" | "un" | "zr" | "hPrev">(
  "rnnwb.GruCandidate",
  [1, 1],
  ({ ins: { zx, un, zr, hPrev }, outs: [h, n], attrs: { start, B, H } }) => {
    for (let b = 0; b < B; b++) {
      const x = (start + b) * 3 * H;
      for (let k = 0; k < H; k++) {
        const j = b * H + k;
        const z = zr[b * 2 * H + k];
        const nj = tanh(zx[x + 2 * H + k] + un[j]); //                           candidate
        n[j] = nj;
        h[j] = nj + z * (hPrev[j] - nj); //                                      z h + (1 − z) n
      }
    }
  },
);

/** Reset before, backward part 1: da_z and da_n. */
const gruBackZN = stepKernel<"dh" | "zr" | "n" | "hPrev">(
  "rnnwb.GruBackZN",
  [1, 1],
  ({ ins: { dh, zr, n, hPrev }, outs: [daz, dan], attrs: { B, H } }) => {
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < H; k++) {
        const j = b * H + k;
        const z = zr[b * 2 * H + k];
        daz[j] = dh[j] * (hPrev[j] - n[j]) * z * (1 - z); //                   ∂h/∂z = h_{t−1} − n
        dan[j] = dh[j] * (1 - z) * (1 - n[j] * n[j]); //                         dn ⊙ (1 − n²)
      }
    }
  },
);

/** Reset before, backward part 2: from d(r ⊙ h) = da_n Whnᵀ: [da_z da_r], da, dh ⊙ z + d(r⊙h) ⊙ r. */
const gruBackR = stepKernel<"dh" | "drh" | "zr" | "hPrev" | "daz" | "dan">(
  "rnnwb.GruBackR",
  [2, 3, 1],
  ({ ins: { dh, drh, zr, hPrev, daz, dan }, outs: [duzr, da, dhPart], attrs: { B, H } }) => {
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < H; k++) {
        const j = b * H + k;
        const z = zr[b * 2 * H + k];
        const r = zr[b * 2 * H + H + k];
        const dar = drh[j] * hPrev[j] * r * (1 - r); //                          ∂(r⊙h)/∂r = h
        duzr[b * 2 * H + k] = da[b * 3 * H + k] = daz[j];
        duzr[b * 2 * H + H + k] = da[b * 3 * H + H + k] = dar;
        da[b * 3 * H + 2 * H + k] = dan[j];
        dhPart[j] = dh[j] * z + drh[j] * r;
      }
    }
  },
);

export function fastGRUResetBefore(cell: Cell): FastSteps {
  const H = cell.hiddenSize;
  return {
    input: { W: "Wx", b: "b" },
    step(p, prev, zx) {
      const B = prev.h.shape[0];
      const u = tf.matMul(prev.h, p.Whzr as tf.Tensor2D); //                    h Whzr   [B, 2H]
      const [zr, rh] = gruGates({ zx: zx.all, u, hPrev: prev.h }, B, H, { start: zx.start });
      const un = tf.matMul(rh, p.Whn as tf.Tensor2D); //                          (r ⊙ h) Whn
      const [h, n] = gruCandidate({ zx: zx.all, un, zr, hPrev: prev.h }, B, H, { start: zx.start });
      return { next: { h }, cache: { zr, rh, n } };
    },
    backStep(_p, pT, { prev, cache }, dNext) {
      const B = prev.h.shape[0];
      const { zr, rh, n } = cache;
      const [daz, dan] = gruBackZN({ dh: dNext.h, zr, n, hPrev: prev.h }, B, H);
      const drh = tf.matMul(dan, pT.Whn as tf.Tensor2D); //                      da_n Whnᵀ
      const [duzr, da, dhPart] = gruBackR({ dh: dNext.h, drh, zr, hPrev: prev.h, daz, dan }, B, H);
      return {
        dPrev: { h: tf.add(dhPart, tf.matMul(duzr, pT.Whzr as tf.Tensor2D)) as tf.Tensor2D },
        dzx: da,
        dParams: { Whzr: outer(prev.h, duzr), Whn: outer(rh as tf.Tensor2D, dan) },
      };
    },
  };
}
