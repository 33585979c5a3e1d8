/**
 * The LSTM variants of Greff et al. (2017, "LSTM: A Search Space Odyssey"), on top of the
 * plain LSTM of lstm.ts:
 *
 * Peepholes (Gers & Schmidhuber 2002) let the gates see the cell state:
 *   i = σ(z_i + wci ⊙ c_{t−1}),  f = σ(z_f + wcf ⊙ c_{t−1}),  o = σ(z_o + wco ⊙ c_t)
 * Coupled input and forget gates (CIFG) drop the input gate's weights:
 *   i = 1 − f,  so Wx is [D, 3H] with gate order f, g, o
 * and, as in the plain LSTM,
 *   g = tanh(z_g),  c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
 *
 * Backward, with dh = ∂L/∂h_t and dc = ∂L/∂c_t from step t+1:
 *   dz_o = dh ⊙ tanh(c_t) ⊙ o(1 − o)
 *   dc  += dh ⊙ o ⊙ (1 − tanh²c_t) + dz_o ⊙ wco              (o peeks at c_t)
 *   di = dc ⊙ g;  df = dc ⊙ c_{t−1}  (coupled: df −= di);  dz_g = dc ⊙ i ⊙ (1 − g²)
 *   dz_i = di ⊙ i(1 − i);  dz_f = df ⊙ f(1 − f)
 *   dc_{t−1} = dc ⊙ f + dz_f ⊙ wcf + dz_i ⊙ wci
 *   dwcf = Σ dz_f ⊙ c_{t−1},  dwci = Σ dz_i ⊙ c_{t−1},  dwco = Σ dz_o ⊙ c_t
 *   dz = [dz_i dz_f dz_g dz_o] (coupled: [dz_f dz_g dz_o]), then as in the plain LSTM
 */
import { bias, glorotUniform, orthogonal, subSeed } from "../init";
import { dSigmoid, dTanh, Ops } from "../ops";
import { Carry, Cell, checkBias, checkSizes, outer, Params, StepGrads, StepRecord } from "./cell";
import type { LSTMOptions } from "./lstm";

export function lstmVariant({
  inputSize,
  hiddenSize,
  peephole = false,
  coupled = false,
  forgetBias = 1,
}: LSTMOptions): Cell {
  checkSizes("lstm", inputSize, hiddenSize);
  checkBias("lstm", "forgetBias", forgetBias);
  const H = hiddenSize;
  const G = coupled ? 3 : 4; //                                      gates stacked in Wx, Wh, b
  const fAt = G - 3; //                                              f, g, o are the last three
  const shapes: Record<string, number[]> = { Wx: [inputSize, G * H], Wh: [H, G * H], b: [G * H] };
  const peeps = !peephole ? [] : coupled ? ["wcf", "wco"] : ["wci", "wcf", "wco"];
  for (const k of peeps) shapes[k] = [H];

  /** z + c ⊙ w: a gate's pre-activation, plus its peephole when there are peepholes. */
  const peek = <T>(o: Ops<T>, z: T, w: T, c: T): T => (peephole ? o.add(z, o.mul(c, w)) : z);

  function step<T>(o: Ops<T>, p: Params<T>, prev: Carry<T>, x: T) {
    const z = o.add(o.add(o.matMul(x, p.Wx), o.matMul(prev.h, p.Wh)), p.b); //    [B, G·H]
    const blocks = o.split(z, G); //                                              G × [B, H]
    const [zf, zg, zo] = blocks.slice(fAt);
    const f = o.sigmoid(peek(o, zf, p.wcf, prev.c)); //                           forget gate
    const i = coupled ? o.oneMinus(f) : o.sigmoid(peek(o, blocks[0], p.wci, prev.c)); // input
    const g = o.tanh(zg); //                                                      candidate
    const c = o.add(o.mul(f, prev.c), o.mul(i, g)); //                            c_t
    const og = o.sigmoid(peek(o, zo, p.wco, c)); //                               output gate
    const tanhC = o.tanh(c); //                                                   tanh(c_t)
    const h = o.mul(og, tanhC); //                                                h_t
    return { next: { h, c }, cache: { i, f, g, o: og, tanhC } };
  }

  function backStep<T>(o: Ops<T>, p: Params<T>, pT: Params<T>, r: StepRecord<T>, dNext: Carry<T>) {
    const { x, prev, next } = r;
    const { i, f, g, o: og, tanhC } = r.cache;
    const dh = dNext.h; //                                                        [B, H]
    const dzo = dSigmoid(o, o.mul(dh, tanhC), og); //                             do ⊙ o(1 − o)
    let dc = o.add(dNext.c, dTanh(o, o.mul(dh, og), tanhC)); //                   through tanh(c_t)
    if (peephole) dc = o.add(dc, o.mul(dzo, p.wco)); //                           o peeks at c_t
    const di = o.mul(dc, g); //                                                   ∂c_t/∂i = g
    const df = coupled ? o.sub(o.mul(dc, prev.c), di) : o.mul(dc, prev.c); //     ∂c_t/∂f (i = 1 − f)
    const dzf = dSigmoid(o, df, f);
    const dzg = dTanh(o, o.mul(dc, i), g); //                                     ∂c_t/∂g = i
    const dzs = coupled ? [dzf, dzg, dzo] : [dSigmoid(o, di, i), dzf, dzg, dzo];
    const dz = o.concat(dzs); //                                                  [B, G·H]
    const dParams: StepGrads<T> = {
      Wx: outer(x, dz), //                                                        xᵀ dz
      Wh: outer(prev.h, dz), //                                                   h_{t−1}ᵀ dz
      b: o.sumRows(dz), //                                                        Σ_batch dz
    };
    let dcPrev = o.mul(dc, f); //                                                 ∂c_t/∂c_{t−1} = f
    if (peephole) {
      dcPrev = o.add(dcPrev, o.mul(dzf, p.wcf));
      dParams.wcf = o.sumRows(o.mul(dzf, prev.c));
      dParams.wco = o.sumRows(o.mul(dzo, next.c));
      if (!coupled) {
        const dzi = dzs[0];
        dcPrev = o.add(dcPrev, o.mul(dzi, p.wci));
        dParams.wci = o.sumRows(o.mul(dzi, prev.c));
      }
    }
    return {
      dPrev: { h: o.matMul(dz, pT.Wh), c: dcPrev }, //                           dz Whᵀ
      dx: o.matMul(dz, pT.Wx), //                                                 dz Wxᵀ
      dParams,
    };
  }

  return {
    name: ["lstm", peephole ? "peephole" : "", coupled ? "coupled" : ""].filter(Boolean).join("+"),
    inputSize,
    hiddenSize,
    carryNames: ["h", "c"],
    shapes,
    init(seed) {
      const p: Params = {
        Wx: glorotUniform(inputSize, G * H, subSeed(seed, 0)),
        Wh: orthogonal(H, G, subSeed(seed, 1)),
        b: bias(G * H, [[fAt * H, (fAt + 1) * H]], forgetBias), //        the f block
      };
      for (const k of peeps) p[k] = bias(H); //                          peepholes start at 0
      return p;
    },
    step,
    backStep,
  };
}
