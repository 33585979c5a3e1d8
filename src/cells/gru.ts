/**
 * GRU (Cho et al. 2014), gate order z, r, n (update, reset, candidate) as in tf.layers/Keras.
 *
 * Reset after (default; cuDNN, Keras' default, PyTorch):
 *   [a_z a_r a_n] = x_t Wx + bx,   [u_z u_r u_n] = h_{t−1} Wh + bh     Wx [D,3H], Wh [H,3H]
 *   z = σ(a_z + u_z),  r = σ(a_r + u_r)
 *   n = tanh(a_n + r ⊙ u_n)
 *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n
 *
 * Reset before (Cho 2014 as written; what tf.layers implements):
 *   [a_z a_r a_n] = x_t Wx + b,    [u_z u_r] = h_{t−1} Whzr                Whzr [H,2H], Whn [H,H]
 *   z = σ(a_z + u_z),  r = σ(a_r + u_r)
 *   n = tanh(a_n + (r ⊙ h_{t−1}) Whn)
 *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n
 *
 * Reset-after is the default: it is the variant pretrained weights (Keras, PyTorch, cuDNN) use,
 * and its recurrent product h_{t−1} Wh for all three gates is one matMul that does not wait for
 * r, so a step is one op shorter. Reset-before is there for tf.layers parity and for Cho 2014.
 *
 * Backward, with dh = ∂L/∂h_t:
 *   dz = dh ⊙ (h_{t−1} − n);  dn = dh ⊙ (1 − z);  dh_{t−1} = dh ⊙ z + …
 *   da_n = dn ⊙ (1 − n²)
 *   after:  dr = da_n ⊙ u_n;  du_n = da_n ⊙ r
 *   before: d(r⊙h) = da_n Whnᵀ;  dr = d(r⊙h) ⊙ h_{t−1};  dh_{t−1} += d(r⊙h) ⊙ r;  dWhn += (r⊙h)ᵀ da_n
 *   da_z = dz ⊙ z(1 − z);  da_r = dr ⊙ r(1 − r)
 */
import * as tf from "@tensorflow/tfjs";
import { bias, glorotUniform, orthogonal, subSeed } from "../init";
import { sigmoid, stepKernel, tanh } from "../kernels";
import { Cell, checkSizes, FusedSteps, outer, rowSum, sigmoidGrad } from "./cell";

export interface GRUOptions {
  inputSize: number;
  hiddenSize: number;
  /** Apply the reset gate after the recurrent product (default) or before it (tf.layers). */
  resetAfter?: boolean;
  /**
   * Initial bias of the update gate z (default 0). A positive value starts z near 1, so the
   * state is kept across steps at first: the GRU's counterpart of the LSTM forget bias.
   */
  updateBias?: number;
}

/**
 * The rules both variants share, for h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n with n = tanh(a_n):
 *   da_z = dh ⊙ (h_{t−1} − n) ⊙ z(1 − z),  da_n = dh ⊙ (1 − z) ⊙ (1 − n²)
 */
function updateAndCandidateGrads(dh: tf.Tensor, hPrev: tf.Tensor, z: tf.Tensor, n: tf.Tensor) {
  return {
    daz: sigmoidGrad(tf.mul(dh, tf.sub(hPrev, n)), z), //                       ∂h/∂z = h_{t−1} − n
    dan: tf.mul(tf.mul(dh, tf.sub(1, z)), tf.sub(1, tf.square(n))), //          dn ⊙ (1 − n²)
  };
}

// ── fused steps (kernels.ts): the equations above, one pass over [B, H] per kernel ──

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

function fusedResetAfter(H: number): FusedSteps {
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

function fusedResetBefore(H: number): FusedSteps {
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

export function gru({
  inputSize,
  hiddenSize,
  resetAfter = true,
  updateBias = 0,
}: GRUOptions): Cell {
  checkSizes("gru", inputSize, hiddenSize);
  if (!Number.isFinite(updateBias))
    throw new Error(`gru: updateBias must be a finite number (got ${updateBias})`);
  const H = hiddenSize;
  const D = inputSize;
  const zBias = () => tf.tidy(() => tf.mul(bias(3 * H, [[0, H]]), updateBias) as tf.Tensor1D); // z block = updateBias
  const mm = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);

  if (resetAfter) {
    return {
      name: "gru",
      inputSize,
      hiddenSize,
      carryNames: ["h"],
      shapes: { Wx: [D, 3 * H], Wh: [H, 3 * H], bx: [3 * H], bh: [3 * H] },
      fused: fusedResetAfter(H),
      init: (seed) => ({
        Wx: glorotUniform(D, 3 * H, subSeed(seed, 0)),
        Wh: orthogonal(H, 3, subSeed(seed, 1)),
        bx: zBias(),
        bh: bias(3 * H),
      }),

      step(p, prev, x) {
        const [az, ar, an] = tf.split(tf.add(mm(x, p.Wx), p.bx), 3, 1); //         x Wx + bx
        const [uz, ur, un] = tf.split(tf.add(mm(prev.h, p.Wh), p.bh), 3, 1); //    h Wh + bh
        const z = tf.sigmoid(tf.add(az, uz)); //                                    update gate
        const r = tf.sigmoid(tf.add(ar, ur)); //                                    reset gate
        const n = tf.tanh(tf.add(an, tf.mul(r, un))); //                            candidate
        const h = tf.add(n, tf.mul(z, tf.sub(prev.h, n))) as tf.Tensor2D; //       z ⊙ h + (1 − z) ⊙ n
        return { next: { h }, cache: { z, r, n, un } };
      },

      backStep(_p, pT, { x, prev, cache }, dNext) {
        const { z, r, n, un } = cache;
        const dh = dNext.h;
        const { daz, dan } = updateAndCandidateGrads(dh, prev.h, z, n);
        const dr = tf.mul(dan, un); //                                              ∂a/∂r = u_n
        const dun = tf.mul(dan, r); //                                              ∂a/∂u_n = r
        const dar = sigmoidGrad(dr, r);
        const dax = tf.concat([daz, dar, dan], 1); //                               [B, 3H]
        const duh = tf.concat([daz, dar, dun], 1); //                               [B, 3H]
        return {
          dPrev: { h: tf.add(tf.mul(dh, z), mm(duh, pT.Wh)) as tf.Tensor2D }, // dh ⊙ z + du Whᵀ
          dx: mm(dax, pT.Wx) as tf.Tensor2D,
          dParams: {
            Wx: outer(x, dax as tf.Tensor2D),
            Wh: outer(prev.h, duh as tf.Tensor2D),
            bx: tf.sum(dax, 0),
            bh: tf.sum(duh, 0),
          },
        };
      },
    };
  }

  return {
    name: "gru+reset-before",
    inputSize,
    hiddenSize,
    carryNames: ["h"],
    shapes: { Wx: [D, 3 * H], Whzr: [H, 2 * H], Whn: [H, H], b: [3 * H] },
    fused: fusedResetBefore(H),
    init(seed) {
      const Wh = orthogonal(H, 3, subSeed(seed, 1));
      const [Whzr, Whn] = tf.split(Wh, [2 * H, H], 1);
      Wh.dispose();
      return { Wx: glorotUniform(D, 3 * H, subSeed(seed, 0)), Whzr, Whn, b: zBias() };
    },

    step(p, prev, x) {
      const [az, ar, an] = tf.split(tf.add(mm(x, p.Wx), p.b), 3, 1); //          x Wx + b
      const [uz, ur] = tf.split(mm(prev.h, p.Whzr), 2, 1); //                      h Whzr
      const z = tf.sigmoid(tf.add(az, uz)); //                                      update gate
      const r = tf.sigmoid(tf.add(ar, ur)); //                                      reset gate
      const rh = tf.mul(r, prev.h); //                                              r ⊙ h_{t−1}
      const n = tf.tanh(tf.add(an, mm(rh, p.Whn))); //                              candidate
      const h = tf.add(n, tf.mul(z, tf.sub(prev.h, n))) as tf.Tensor2D; //         z ⊙ h + (1 − z) ⊙ n
      return { next: { h }, cache: { z, r, n, rh } };
    },

    backStep(_p, pT, { x, prev, cache }, dNext) {
      const { z, r, n, rh } = cache;
      const dh = dNext.h;
      const { daz, dan } = updateAndCandidateGrads(dh, prev.h, z, n);
      const drh = mm(dan, pT.Whn); //                                               da_n Whnᵀ
      const dr = tf.mul(drh, prev.h); //                                            ∂(r⊙h)/∂r = h
      const dar = sigmoidGrad(dr, r);
      const duzr = tf.concat([daz, dar], 1); //                                     [B, 2H]
      const dax = tf.concat([daz, dar, dan], 1); //                                 [B, 3H]
      const dhPrev = tf.add(tf.add(tf.mul(dh, z), tf.mul(drh, r)), mm(duzr, pT.Whzr));
      return {
        dPrev: { h: dhPrev as tf.Tensor2D },
        dx: mm(dax, pT.Wx) as tf.Tensor2D,
        dParams: {
          Wx: outer(x, dax as tf.Tensor2D),
          Whzr: outer(prev.h, duzr as tf.Tensor2D),
          Whn: outer(rh as tf.Tensor2D, dan as tf.Tensor2D),
          b: tf.sum(dax, 0),
        },
      };
    },
  };
}
