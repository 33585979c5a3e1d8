/**
 * GRU (Cho et al. 2014) with the reset gate applied after the recurrent product, gate order
 * z, r, n (update, reset, candidate) as in Keras, PyTorch and cuDNN:
 *
 *   [a_z a_r a_n] = x_t Wx + bx,   [u_z u_r u_n] = h_{t−1} Wh + bh     Wx [D, 3H], Wh [H, 3H]
 *   z = σ(a_z + u_z),  r = σ(a_r + u_r)
 *   n = tanh(a_n + r ⊙ u_n)
 *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n
 *
 * Backward, with dh = ∂L/∂h_t:
 *   da_z = dh ⊙ (h_{t−1} − n) ⊙ z(1 − z),  da_n = dh ⊙ (1 − z) ⊙ (1 − n²)
 *   da_r = da_n ⊙ u_n ⊙ r(1 − r),  du_n = da_n ⊙ r
 *   da = [da_z da_r da_n]:  dWx += xᵀ da,  dbx += Σ da,  dx = da Wxᵀ
 *   du = [da_z da_r du_n]:  dWh += h_{t−1}ᵀ du,  dbh += Σ du
 *   dh_{t−1} = dh ⊙ z + du Whᵀ
 *
 * It is the default GRU: pretrained weights (Keras, PyTorch, cuDNN) use it, and its recurrent
 * product h_{t−1} Wh for all three gates is one matMul that does not wait for r. Cho 2014 as
 * written (what tf.layers implements) is gru-reset-before.ts; `gru({ resetAfter })` picks.
 */
import { bias, glorotUniform, orthogonal, subSeed } from "../init";
import { dSigmoid, dTanh, Ops } from "../ops";
import { Cell, checkBias, checkSizes, outer } from "./cell";

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
 * The rules both GRUs share, for h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n:
 *   forward  h_t = n + z ⊙ (h_{t−1} − n)
 *   backward da_z = dh ⊙ (h_{t−1} − n) ⊙ z(1 − z),  da_n = dh ⊙ (1 − z) ⊙ (1 − n²)
 */
export const interpolate = <T>(o: Ops<T>, z: T, hPrev: T, n: T): T =>
  o.add(n, o.mul(z, o.sub(hPrev, n)));

export function interpolateGrads<T>(o: Ops<T>, dh: T, hPrev: T, z: T, n: T) {
  return {
    daz: dSigmoid(o, o.mul(dh, o.sub(hPrev, n)), z), //                  ∂h/∂z = h_{t−1} − n
    dan: dTanh(o, o.mul(dh, o.oneMinus(z)), n), //                        dn ⊙ (1 − n²)
  };
}

export function gruResetAfter({ inputSize, hiddenSize, updateBias = 0 }: GRUOptions): Cell {
  checkSizes("gru", inputSize, hiddenSize);
  checkBias("gru", "updateBias", updateBias);
  const [D, H] = [inputSize, hiddenSize];
  return {
    name: "gru",
    inputSize,
    hiddenSize,
    carryNames: ["h"],
    shapes: { Wx: [D, 3 * H], Wh: [H, 3 * H], bx: [3 * H], bh: [3 * H] },
    init: (seed) => ({
      Wx: glorotUniform(D, 3 * H, subSeed(seed, 0)),
      Wh: orthogonal(H, 3, subSeed(seed, 1)),
      bx: bias(3 * H, [[0, H]], updateBias), //                            the z block
      bh: bias(3 * H),
    }),

    step(o, p, prev, x) {
      const [az, ar, an] = o.split(o.add(o.matMul(x, p.Wx), p.bx), 3); //      x Wx + bx
      const [uz, ur, un] = o.split(o.add(o.matMul(prev.h, p.Wh), p.bh), 3); // h Wh + bh
      const z = o.sigmoid(o.add(az, uz)); //                                    update gate
      const r = o.sigmoid(o.add(ar, ur)); //                                    reset gate
      const n = o.tanh(o.add(an, o.mul(r, un))); //                             candidate
      const h = interpolate(o, z, prev.h, n); //                                z h + (1 − z) n
      return { next: { h }, cache: { z, r, n, un } };
    },

    backStep(o, _p, pT, { x, prev, cache }, dNext) {
      const { z, r, n, un } = cache;
      const dh = dNext.h;
      const { daz, dan } = interpolateGrads(o, dh, prev.h, z, n);
      const dar = dSigmoid(o, o.mul(dan, un), r); //                            ∂a/∂r = u_n
      const dun = o.mul(dan, r); //                                             ∂a/∂u_n = r
      const da = o.concat([daz, dar, dan]); //                                  [B, 3H]
      const du = o.concat([daz, dar, dun]); //                                  [B, 3H]
      return {
        dPrev: { h: o.add(o.mul(dh, z), o.matMul(du, pT.Wh)) }, //              dh ⊙ z + du Whᵀ
        dx: o.matMul(da, pT.Wx), //                                             da Wxᵀ
        dParams: {
          Wx: outer(x, da),
          Wh: outer(prev.h, du),
          bx: o.sumRows(da),
          bh: o.sumRows(du),
        },
      };
    },
  };
}
