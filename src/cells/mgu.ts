/**
 * Minimal gated unit (MGU, Zhou et al. 2016): a GRU whose one gate f both resets and updates.
 *
 *   [a_f a_n] = x_t Wx + b                       Wx = [W_f W_h] [D, 2H], b = [b_f b_h] [2H]
 *   f = σ(a_f + h_{t−1} Uf)                       forget gate               Uf [H, H]
 *   n = tanh(a_n + (f ⊙ h_{t−1}) Uh)              candidate ĥ               Uh [H, H]
 *   h_t = (1 − f) ⊙ h_{t−1} + f ⊙ n
 *
 * Backward, with dh = ∂L/∂h_t:
 *   da_n = dh ⊙ f ⊙ (1 − n²)
 *   d(f⊙h) = da_n Uhᵀ
 *   da_f = (dh ⊙ (n − h_{t−1}) + d(f⊙h) ⊙ h_{t−1}) ⊙ f(1 − f)
 *   da = [da_f da_n]:  dWx += xᵀ da,  db += Σ da,  dx = da Wxᵀ
 *   dUf += h_{t−1}ᵀ da_f,  dUh += (f⊙h)ᵀ da_n
 *   dh_{t−1} = dh ⊙ (1 − f) + d(f⊙h) ⊙ f + da_f Ufᵀ
 */
import { bias, glorotUniform, orthogonal, subSeed } from "../init";
import { dSigmoid, dTanh } from "../ops";
import { Cell, checkSizes, optionsOf, outer } from "./cell";

export interface MGUOptions {
  inputSize: number;
  hiddenSize: number;
}

export function mgu(options: MGUOptions): Cell {
  const { inputSize, hiddenSize } = optionsOf("mgu", options);
  checkSizes("mgu", inputSize, hiddenSize);
  const [D, H] = [inputSize, hiddenSize];
  return {
    name: "mgu",
    inputSize,
    hiddenSize,
    carryNames: ["h"],
    shapes: { Wx: [D, 2 * H], Uf: [H, H], Uh: [H, H], b: [2 * H] },
    init: (seed) => ({
      Wx: glorotUniform(D, 2 * H, subSeed(seed, 0)),
      Uf: orthogonal(H, 1, subSeed(seed, 1)),
      Uh: orthogonal(H, 1, subSeed(seed, 2)),
      b: bias(2 * H),
    }),

    step(o, p, prev, x) {
      const [af, an] = o.split(o.add(o.matMul(x, p.Wx), p.b), 2); //            x Wx + b
      const f = o.sigmoid(o.add(af, o.matMul(prev.h, p.Uf))); //                 forget gate
      const fh = o.mul(f, prev.h); //                                            f ⊙ h_{t−1}
      const n = o.tanh(o.add(an, o.matMul(fh, p.Uh))); //                        candidate
      const h = o.add(prev.h, o.mul(f, o.sub(n, prev.h))); //                    (1 − f) h + f n
      return { next: { h }, cache: { f, fh, n } };
    },

    backStep(o, _p, pT, { x, prev, cache }, dNext) {
      const { f, fh, n } = cache;
      const dh = dNext.h;
      const dan = dTanh(o, o.mul(dh, f), n); //                                  ∂h/∂n = f
      const dfh = o.matMul(dan, pT.Uh); //                                       da_n Uhᵀ
      const df = o.add(o.mul(dh, o.sub(n, prev.h)), o.mul(dfh, prev.h)); //      ∂h/∂f, via f ⊙ h
      const daf = dSigmoid(o, df, f);
      const da = o.concat([daf, dan]); //                                        [B, 2H]
      const dhPrev = o.add(o.add(o.mul(dh, o.oneMinus(f)), o.mul(dfh, f)), o.matMul(daf, pT.Uf));
      return {
        dPrev: { h: dhPrev },
        dx: o.matMul(da, pT.Wx), //                                              da Wxᵀ
        dParams: {
          Wx: outer(x, da), //                                                   xᵀ da
          Uf: outer(prev.h, daf), //                                             h_{t−1}ᵀ da_f
          Uh: outer(fh, dan), //                                                 (f ⊙ h)ᵀ da_n
          b: o.sumRows(da), //                                                   Σ_batch da
        },
      };
    },
  };
}
