/**
 * LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), gate order
 * i, f, g, o as in tf.layers and PyTorch:
 *
 *   [z_i z_f z_g z_o] = x_t Wx + h_{t−1} Wh + b            Wx [D, 4H], Wh [H, 4H], b [4H]
 *   i = σ(z_i)        input gate
 *   f = σ(z_f)        forget gate
 *   g = tanh(z_g)     candidate
 *   o = σ(z_o)        output gate
 *   c_t = f ⊙ c_{t−1} + i ⊙ g
 *   h_t = o ⊙ tanh(c_t)
 *
 * Backward, with dh = ∂L/∂h_t and dc = ∂L/∂c_t from step t+1:
 *
 *   dz_o = dh ⊙ tanh(c_t) ⊙ o(1 − o)
 *   dc  += dh ⊙ o ⊙ (1 − tanh²c_t)
 *   dz_i = dc ⊙ g ⊙ i(1 − i);  dz_f = dc ⊙ c_{t−1} ⊙ f(1 − f);  dz_g = dc ⊙ i ⊙ (1 − g²)
 *   dc_{t−1} = dc ⊙ f
 *   dz = [dz_i dz_f dz_g dz_o]:  dWx += xᵀ dz,  dWh += h_{t−1}ᵀ dz,  db += Σ dz
 *   dh_{t−1} = dz Whᵀ,  dx = dz Wxᵀ
 *
 * Peepholes and coupled gates are in lstm-variants.ts; `lstm({ peephole, coupled })` picks.
 */
import { bias, glorotUniform, orthogonal, subSeed } from "../init";
import { dSigmoid, dTanh } from "../ops";
import { Cell, checkBias, checkSizes, outer } from "./cell";

export interface LSTMOptions {
  inputSize: number;
  hiddenSize: number;
  /** Peephole connections wci, wcf, wco (Gers & Schmidhuber 2002): lstm-variants.ts. */
  peephole?: boolean;
  /** Coupled input and forget gates, i = 1 − f (CIFG): lstm-variants.ts. */
  coupled?: boolean;
  /** Initial forget-gate bias (1 keeps memory at the start: Jozefowicz et al. 2015). */
  forgetBias?: number;
}

/** The plain LSTM (no peepholes, separate input and forget gates). */
export function plainLSTM({ inputSize, hiddenSize, forgetBias = 1 }: LSTMOptions): Cell {
  checkSizes("lstm", inputSize, hiddenSize);
  checkBias("lstm", "forgetBias", forgetBias);
  const H = hiddenSize;
  return {
    name: "lstm",
    inputSize,
    hiddenSize,
    carryNames: ["h", "c"],
    shapes: { Wx: [inputSize, 4 * H], Wh: [H, 4 * H], b: [4 * H] },
    init: (seed) => ({
      Wx: glorotUniform(inputSize, 4 * H, subSeed(seed, 0)),
      Wh: orthogonal(H, 4, subSeed(seed, 1)),
      b: bias(4 * H, [[H, 2 * H]], forgetBias), //                         the f block
    }),

    step(o, p, prev, x) {
      const z = o.add(o.add(o.matMul(x, p.Wx), o.matMul(prev.h, p.Wh)), p.b); //    [B, 4H]
      const [zi, zf, zg, zo] = o.split(z, 4); //                                    4 × [B, H]
      const i = o.sigmoid(zi); //                                                   input gate
      const f = o.sigmoid(zf); //                                                   forget gate
      const g = o.tanh(zg); //                                                      candidate
      const c = o.add(o.mul(f, prev.c), o.mul(i, g)); //                            c_t
      const og = o.sigmoid(zo); //                                                  output gate
      const tanhC = o.tanh(c); //                                                   tanh(c_t)
      const h = o.mul(og, tanhC); //                                                h_t
      return { next: { h, c }, cache: { i, f, g, o: og, tanhC } };
    },

    backStep(o, _p, pT, { x, prev, cache }, dNext) {
      const { i, f, g, o: og, tanhC } = cache;
      const dh = dNext.h; //                                                        [B, H]
      const dzo = dSigmoid(o, o.mul(dh, tanhC), og); //                             do ⊙ o(1 − o)
      const dc = o.add(dNext.c, dTanh(o, o.mul(dh, og), tanhC)); //                 through tanh(c_t)
      const dzi = dSigmoid(o, o.mul(dc, g), i); //                                  ∂c_t/∂i = g
      const dzf = dSigmoid(o, o.mul(dc, prev.c), f); //                             ∂c_t/∂f = c_{t−1}
      const dzg = dTanh(o, o.mul(dc, i), g); //                                     ∂c_t/∂g = i
      const dz = o.concat([dzi, dzf, dzg, dzo]); //                                 [B, 4H]
      return {
        dPrev: { h: o.matMul(dz, pT.Wh), c: o.mul(dc, f) }, //                      dz Whᵀ, dc ⊙ f
        dx: o.matMul(dz, pT.Wx), //                                                 dz Wxᵀ
        dParams: {
          Wx: outer(x, dz), //                                                      xᵀ dz
          Wh: outer(prev.h, dz), //                                                 h_{t−1}ᵀ dz
          b: o.sumRows(dz), //                                                      Σ_batch dz
        },
      };
    },
  };
}
