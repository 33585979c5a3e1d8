/**
 * GRU with the reset gate applied before the recurrent product: Cho et al. (2014) as
 * written, and what tf.layers implements. Gate order z, r, n:
 *
 *   [a_z a_r a_n] = x_t Wx + b,    [u_z u_r] = h_{t−1} Whzr         Whzr [H, 2H], Whn [H, H]
 *   z = σ(a_z + u_z),  r = σ(a_r + u_r)
 *   n = tanh(a_n + (r ⊙ h_{t−1}) Whn)
 *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n
 *
 * Backward, with dh = ∂L/∂h_t (da_z, da_n as in gru.ts):
 *   d(r⊙h) = da_n Whnᵀ;  da_r = d(r⊙h) ⊙ h_{t−1} ⊙ r(1 − r);  dWhn += (r⊙h)ᵀ da_n
 *   du = [da_z da_r]:  dWhzr += h_{t−1}ᵀ du
 *   da = [da_z da_r da_n]:  dWx += xᵀ da,  db += Σ da,  dx = da Wxᵀ
 *   dh_{t−1} = dh ⊙ z + d(r⊙h) ⊙ r + du Whzrᵀ
 */
import * as tf from "@tensorflow/tfjs";
import { bias, glorotUniform, orthogonal, subSeed } from "../init";
import { dSigmoid } from "../ops";
import { Cell, checkBias, checkSizes, outer } from "./cell";
import { GRUOptions, interpolate, interpolateGrads } from "./gru";

export function gruResetBefore({ inputSize, hiddenSize, updateBias = 0 }: GRUOptions): Cell {
  checkSizes("gru", inputSize, hiddenSize);
  checkBias("gru", "updateBias", updateBias);
  const [D, H] = [inputSize, hiddenSize];
  return {
    name: "gru+reset-before",
    inputSize,
    hiddenSize,
    carryNames: ["h"],
    shapes: { Wx: [D, 3 * H], Whzr: [H, 2 * H], Whn: [H, H], b: [3 * H] },
    init(seed) {
      const Wh = orthogonal(H, 3, subSeed(seed, 1)); //                    the same blocks as gru.ts
      const [Whzr, Whn] = tf.split(Wh, [2 * H, H], 1);
      Wh.dispose();
      const b = bias(3 * H, [[0, H]], updateBias); //                       the z block
      return { Wx: glorotUniform(D, 3 * H, subSeed(seed, 0)), Whzr, Whn, b };
    },

    step(o, p, prev, x) {
      const [az, ar, an] = o.split(o.add(o.matMul(x, p.Wx), p.b), 3); //      x Wx + b
      const [uz, ur] = o.split(o.matMul(prev.h, p.Whzr), 2); //                 h Whzr
      const z = o.sigmoid(o.add(az, uz)); //                                    update gate
      const r = o.sigmoid(o.add(ar, ur)); //                                    reset gate
      const rh = o.mul(r, prev.h); //                                           r ⊙ h_{t−1}
      const n = o.tanh(o.add(an, o.matMul(rh, p.Whn))); //                      candidate
      const h = interpolate(o, z, prev.h, n); //                                z h + (1 − z) n
      return { next: { h }, cache: { z, r, n, rh } };
    },

    backStep(o, _p, pT, { x, prev, cache }, dNext) {
      const { z, r, n, rh } = cache;
      const dh = dNext.h;
      const { daz, dan } = interpolateGrads(o, dh, prev.h, z, n);
      const drh = o.matMul(dan, pT.Whn); //                                     da_n Whnᵀ
      const dar = dSigmoid(o, o.mul(drh, prev.h), r); //                        ∂(r⊙h)/∂r = h
      const du = o.concat([daz, dar]); //                                       [B, 2H]
      const da = o.concat([daz, dar, dan]); //                                  [B, 3H]
      const dhPrev = o.add(o.add(o.mul(dh, z), o.mul(drh, r)), o.matMul(du, pT.Whzr));
      return {
        dPrev: { h: dhPrev },
        dx: o.matMul(da, pT.Wx), //                                             da Wxᵀ
        dParams: {
          Wx: outer(x, da),
          Whzr: outer(prev.h, du),
          Whn: outer(rh, dan),
          b: o.sumRows(da),
        },
      };
    },
  };
}
