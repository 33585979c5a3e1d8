/**
 * Variational dropout (Gal & Ghahramani 2016): one mask per sequence, the same at every step,
 * on a layer's inputs, on the h_{t−1} each cell reads, and on the layer's outputs:
 *
 *   m ~ Bernoulli(1 − p) / (1 − p)      one row per sequence            [B, width]
 *   input      x̃_t = x_t ⊙ m_x          the layer reads x̃_t
 *   recurrent  h̃_{t−1} = h_{t−1} ⊙ m_h  the cell's step reads h̃_{t−1} (scan.ts)
 *   output     ỹ_t = y_t ⊙ m_y          the head reads ỹ_t
 *
 * Backward: a mask passes on the gradient of what it let through, ∂L/∂x_t = m_x ⊙ ∂L/∂x̃_t,
 * ∂L/∂h_{t−1} = m_h ⊙ ∂L/∂h̃_{t−1} (+ the paths that do not cross the mask), ∂L/∂y_t = m_y ⊙ ∂L/∂ỹ_t.
 * Dividing by 1 − p keeps each unit's expected value, so `predict` (no `train` option) runs
 * the layer as it is, with no mask and no rescaling.
 *
 * The recurrent mask drops h_{t−1} wherever the step reads it. For the SimpleRNN and the LSTM
 * that is only the recurrent product h_{t−1} U: Gal's formulation, Keras' `recurrent_dropout`
 * (the LSTM's c_{t−1} is never dropped). The GRU and MGU also read h_{t−1} in their
 * interpolation h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n; dropping it there multiplies a kept unit by
 * 1/(1 − p) at every step where z ≈ 1, so the state grows like (1/(1 − p))^t (measured: training
 * losses of 10¹⁰ on 200-token e-mails with p = 0.2). Recurrent dropout is therefore refused for
 * them; input and output dropout work for every cell.
 */
import * as tf from "@tensorflow/tfjs";
import { rng, subSeed } from "./init";
import { BackwardOptions, disposeAll, Grads, Layer, Pass, Training } from "./layer";

export interface DropoutRates {
  /** Rate on the layer's inputs x_t (default 0). */
  input?: number;
  /** Rate on h_{t−1} inside every cell of the layer (default 0). */
  recurrent?: number;
  /** Rate on the layer's outputs y_t (default 0). */
  output?: number;
}

/** Checks a dropout rate: a number in [0, 1). */
export function checkRate(what: string, name: string, p: number): void {
  if (!(typeof p === "number" && p >= 0 && p < 1))
    throw new Error(
      `${what}: ${name} dropout must be in [0, 1) (got ${p}); 0 turns it off, 0.5 drops half the units`,
    );
}

/** Whether a cell reads h_{t−1} only in its recurrent products (SimpleRNN, LSTM variants). */
export const productOnly = (cellName: string): boolean => /^(simple|lstm)(\+|$)/.test(cellName);

/** Checks that recurrent dropout `p` may run on the cell `cellName` (see above). */
export function checkRecurrentDropout(cellName: string, p: number): void {
  checkRate(cellName, "recurrent", p);
  if (p > 0 && !productOnly(cellName))
    throw new Error(
      `${cellName}: recurrent dropout would also drop h_{t−1} in the interpolation z ⊙ h_{t−1}, and the state would grow as (1/(1 − p))^t; use input/output dropout with this cell, or an LSTM`,
    );
}

/** A seeded mask [B, W]: 1/(1 − p) with probability 1 − p, else 0. */
export function dropMask(seed: number, B: number, W: number, p: number): tf.Tensor2D {
  const u = rng(seed);
  const keep = 1 / (1 - p);
  const v = new Float32Array(B * W);
  for (let i = 0; i < v.length; i++) v[i] = u() < p ? 0 : keep;
  return tf.tensor2d(v, [B, W]);
}

/** x_t ⊙ m for every step (null steps stay null). */
const masked = (xs: (tf.Tensor2D | null)[], m: tf.Tensor2D) =>
  xs.map((x) => (x === null ? null : (tf.mul(x, m) as tf.Tensor2D)));

/**
 * `dropout(layer, { input, recurrent, output })`: the layer with variational dropout, active
 * only in passes given `train` (lossAndGrads), off in `predict`. Parameters are the layer's.
 */
export function dropout(
  layer: Layer,
  { input = 0, recurrent = 0, output = 0 }: DropoutRates = {},
): Layer {
  checkRate("dropout", "input", input);
  checkRate("dropout", "recurrent", recurrent);
  checkRate("dropout", "output", output);
  return {
    ...layer,
    name: `dropout(${layer.name}, ${input}/${recurrent}/${output})`,
    forward(p, xs, options = {}): Pass {
      const { train } = options;
      if (train === undefined) return layer.forward(p, xs, options); //     predict: no dropout
      const B = xs[0]?.shape[0] ?? 0;
      const mx = input > 0 ? dropMask(subSeed(train.seed, 0), B, layer.inputSize, input) : null;
      const my = output > 0 ? dropMask(subSeed(train.seed, 2), B, layer.outputSize, output) : null;
      const inner: Training = {
        seed: subSeed(train.seed, 1),
        recurrentDropout: recurrent > 0 ? recurrent : train.recurrentDropout,
      };
      const xsIn = mx ? (masked(xs, mx) as tf.Tensor2D[]) : xs; //                  x_t ⊙ m_x
      let pass: Pass;
      try {
        pass = layer.forward(p, xsIn, { ...options, train: inner });
      } catch (e) {
        disposeAll(mx, my, mx ? xsIn : null);
        throw e;
      }
      const ysOut = my ? (masked(pass.ys, my) as tf.Tensor2D[]) : pass.ys; //        y_t ⊙ m_y
      return {
        ys: ysOut,
        carry: pass.carry,
        backward(dys, o: BackwardOptions = {}): Grads {
          const dyIn = my ? masked(dys, my) : dys; //                         m_y ⊙ ∂L/∂ỹ_t
          const g = pass.backward(dyIn, o);
          if (my) disposeAll(dyIn);
          if (!mx) return g;
          const dxs = masked(g.dxs, mx) as tf.Tensor2D[]; //                  m_x ⊙ ∂L/∂x̃_t
          disposeAll(g.dxs);
          return { ...g, dxs };
        },
        dispose() {
          pass.dispose();
          disposeAll(mx, my, mx ? xsIn : null, my ? ysOut : null);
        },
      };
    },
  };
}
