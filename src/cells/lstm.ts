/**
 * LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), gate order
 * i, f, g, o as in tf.layers and PyTorch:
 *
 *   [z_i z_f z_g z_o] = x_t Wx + h_{t−1} Wh + b            Wx [D, 4H], Wh [H, 4H], b [4H]
 *   i = σ(z_i + wci ⊙ c_{t−1})    input gate        (wci, wcf, wco: peepholes, optional)
 *   f = σ(z_f + wcf ⊙ c_{t−1})    forget gate
 *   g = tanh(z_g)                 candidate
 *   c_t = f ⊙ c_{t−1} + i ⊙ g     cell state
 *   o = σ(z_o + wco ⊙ c_t)        output gate
 *   h_t = o ⊙ tanh(c_t)
 *
 * Peepholes (Gers & Schmidhuber 2002) let the gates see the cell state. The coupled variant
 * (CIFG, Greff et al. 2017) drops the input gate, i = 1 − f, so Wx is [D, 3H] with order f, g, o.
 *
 * Backward, with dh = ∂L/∂h_t and dc = ∂L/∂c_t from step t+1:
 *
 *   do  = dh ⊙ tanh(c_t);              dz_o = do ⊙ o(1 − o)
 *   dc += dh ⊙ o ⊙ (1 − tanh²c_t) + dz_o ⊙ wco
 *   di  = dc ⊙ g;  dg = dc ⊙ i;  df = dc ⊙ c_{t−1}     (coupled: df −= di)
 *   dz_i = di ⊙ i(1 − i);  dz_f = df ⊙ f(1 − f);  dz_g = dg ⊙ (1 − g²)
 *   dc_{t−1} = dc ⊙ f + dz_i ⊙ wci + dz_f ⊙ wcf
 *   dz = [dz_i dz_f dz_g dz_o]:  dWx += xᵀ dz,  dWh += h_{t−1}ᵀ dz,  db += Σ dz
 *   dh_{t−1} = dz Whᵀ,  dx = dz Wxᵀ
 */
import * as tf from "@tensorflow/tfjs";
import { bias, glorotUniform, orthogonal, subSeed } from "../init";
import { simdKernel } from "../kernels";
import { Cell, checkSizes, FusedSteps, outer, Params, sigmoidGrad, StepGrads } from "./cell";

/**
 * The fused steps of the plain LSTM (Zx = X Wx + b): the gate math of a step is one call of a
 * SIMD function in src/wasm/lstm.wat (the forward equations above in `lstm_step`, the backward
 * ones in `lstm_back`), four columns at a time; it needs H ≥ 4.
 */
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

function fusedLSTM(H: number): FusedSteps {
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

export interface LSTMOptions {
  inputSize: number;
  hiddenSize: number;
  /** Peephole connections wci, wcf, wco (Gers & Schmidhuber 2002). */
  peephole?: boolean;
  /** Coupled input and forget gates: i = 1 − f. */
  coupled?: boolean;
  /** Initial forget-gate bias (1 keeps memory at the start: Jozefowicz et al. 2015). */
  forgetBias?: number;
}

export function lstm({
  inputSize,
  hiddenSize,
  peephole = false,
  coupled = false,
  forgetBias = 1,
}: LSTMOptions): Cell {
  checkSizes("lstm", inputSize, hiddenSize);
  if (!Number.isFinite(forgetBias))
    throw new Error(`lstm: forgetBias must be a finite number (got ${forgetBias})`);
  const H = hiddenSize;
  const G = coupled ? 3 : 4; // gates stacked in Wx, Wh, b
  const fAt = coupled ? 0 : 1; // index of the forget gate
  const shapes: Record<string, number[]> = { Wx: [inputSize, G * H], Wh: [H, G * H], b: [G * H] };
  if (peephole) {
    if (!coupled) shapes.wci = [H];
    shapes.wcf = [H];
    shapes.wco = [H];
  }
  const name = ["lstm", peephole ? "peephole" : "", coupled ? "coupled" : ""]
    .filter(Boolean)
    .join("+");

  return {
    name,
    inputSize,
    hiddenSize,
    carryNames: ["h", "c"],
    shapes,
    fused: peephole || coupled || H < 4 ? undefined : fusedLSTM(H),
    init(seed) {
      const p: Params = {
        Wx: glorotUniform(inputSize, G * H, subSeed(seed, 0)),
        Wh: orthogonal(H, G, subSeed(seed, 1)),
        b: tf.mul(bias(G * H, [[fAt * H, (fAt + 1) * H]]), forgetBias),
      };
      for (const k of Object.keys(shapes)) if (k.startsWith("wc")) p[k] = tf.zeros([H]);
      return p;
    },

    step(p, prev, x) {
      const z = tf.add(
        tf.add(tf.matMul(x, p.Wx as tf.Tensor2D), tf.matMul(prev.h, p.Wh as tf.Tensor2D)),
        p.b,
      ); // [B, G·H]
      const parts = tf.split(z, G, 1); //                                                 G × [B, H]
      const [zi, zf, zg, zo] = coupled ? [null, parts[0], parts[1], parts[2]] : parts;
      const f = tf.sigmoid(peephole ? tf.add(zf!, tf.mul(p.wcf, prev.c)) : zf!); //       forget gate
      const i = coupled
        ? tf.sub(1, f)
        : tf.sigmoid(peephole ? tf.add(zi!, tf.mul(p.wci, prev.c)) : zi!); // input gate
      const g = tf.tanh(zg); //                                                            candidate
      const c = tf.add(tf.mul(f, prev.c), tf.mul(i, g)) as tf.Tensor2D; //                 c_t
      const o = tf.sigmoid(peephole ? tf.add(zo, tf.mul(p.wco, c)) : zo); //               output gate
      const tanhC = tf.tanh(c); //                                                         tanh(c_t)
      const h = tf.mul(o, tanhC) as tf.Tensor2D; //                                        h_t
      return { next: { h, c }, cache: { i, f, g, o, tanhC } };
    },

    backStep(p, pT, { x, prev, next, cache }, dNext) {
      const { i, f, g, o, tanhC } = cache;
      const dh = dNext.h; //                                                               [B, H]
      const dzo = sigmoidGrad(tf.mul(dh, tanhC), o); //                                    do ⊙ o(1 − o)
      let dc = tf.add(dNext.c, tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tanhC)))); //     through tanh(c_t)
      if (peephole) dc = tf.add(dc, tf.mul(dzo, p.wco)); //                                o peeks at c_t
      const di = tf.mul(dc, g); //                                                         ∂c_t/∂i = g
      const dg = tf.mul(dc, i); //                                                         ∂c_t/∂g = i
      let df = tf.mul(dc, prev.c); //                                                      ∂c_t/∂f = c_{t−1}
      if (coupled) df = tf.sub(df, di); //                                                 i = 1 − f
      const dzf = sigmoidGrad(df, f);
      const dzg = tf.mul(dg, tf.sub(1, tf.square(g))); //                                  tanh' = 1 − g²
      const dzi = coupled ? null : sigmoidGrad(di, i);
      let dcPrev = tf.mul(dc, f); //                                                       ∂c_t/∂c_{t−1} = f
      const dParams: StepGrads = {};
      if (peephole) {
        dcPrev = tf.add(dcPrev, tf.mul(dzf, p.wcf));
        dParams.wcf = tf.sum(tf.mul(dzf, prev.c), 0);
        dParams.wco = tf.sum(tf.mul(dzo, next.c), 0); //                                    o peeks at c_t
      }
      if (peephole && !coupled) {
        dcPrev = tf.add(dcPrev, tf.mul(dzi!, p.wci));
        dParams.wci = tf.sum(tf.mul(dzi!, prev.c), 0);
      }
      const dz = tf.concat(coupled ? [dzf, dzg, dzo] : [dzi!, dzf, dzg, dzo], 1) as tf.Tensor2D; // [B, G·H]
      dParams.Wx = outer(x, dz); //                                       xᵀ dz
      dParams.Wh = outer(prev.h, dz); //                                  h_{t−1}ᵀ dz
      dParams.b = tf.sum(dz, 0); //                                                        Σ_batch dz
      return {
        dPrev: { h: tf.matMul(dz, pT.Wh as tf.Tensor2D), c: dcPrev as tf.Tensor2D }, // dz Whᵀ
        dx: tf.matMul(dz, pT.Wx as tf.Tensor2D), //                             dz Wxᵀ
        dParams,
      };
    },
  };
}
