/**
 * The fast stepper: a cell's fast steps (steps.ts) between the input side done for all steps
 * at once (projection.ts):
 *
 *   forward   Zx = X W + b once; step t reads rows t·B … t·B + B − 1
 *   backward  step t returns dzx_t; then dZx = [dzx_1; …; dzx_T] and
 *             dW = Xᵀ dZx,  db = Σ_rows dZx,  dX = dZx Wᵀ (cut back into steps)
 */
import * as tf from "@tensorflow/tfjs";
import { disposeAll } from "../layer";
import type { Params } from "../cells/cell";
import type { Stepper } from "../stepper";
import { project } from "./projection";
import { splitRows } from "./rows";
import type { FastSteps } from "./steps";

export function fastStepper(f: FastSteps, p: Params, xs: tf.Tensor2D[]): Stepper {
  const [T, B] = [xs.length, xs[0].shape[0]];
  const { W, b } = f.input;
  const proj = project(xs, p[W] as tf.Tensor2D, p[b] as tf.Tensor1D);
  return {
    step: (t, prev) => f.step(p, prev, { all: proj.Zx, start: t * B }),
    backward(pT, inputGrads) {
      const dzxs: tf.Tensor2D[] = new Array(T); //                           ∂L/∂Zx per step
      return {
        back(t, r, dNext) {
          const { dPrev, dzx, dParams } = f.backStep(p, pT, r, dNext);
          dzxs[t] = tf.keep(dzx);
          return { dPrev, dParams };
        },
        finish(rows) {
          const dZx = rows(dzxs); //                                          [T·B, G·H]
          const { dW, db } = proj.grads(dZx);
          const dxs = inputGrads ? splitRows(tf.matMul(dZx, pT[W] as tf.Tensor2D), T) : [];
          return { dParams: { [W]: dW, [b]: db }, dxs };
        },
        release: () => disposeAll(dzxs),
      };
    },
    dispose() {
      proj.dispose();
      proj.Zx.dispose();
    },
  };
}
