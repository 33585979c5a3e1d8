/**
 * What the scan (scan.ts) drives: a Stepper runs one layer's steps forward and backward. Two
 * implementations, chosen by src/fast/policy.ts:
 * - the reference stepper (here): the cell's own `step` and `backStep` through tfOps, x_t in,
 *   ∂L/∂x_t out, per step;
 * - the fast stepper (src/fast/stepper.ts): the input side for all steps at once, the cell's
 *   fast steps in between.
 */
import * as tf from "@tensorflow/tfjs";
import type { Cache, Carry, Cell, Params, StepGrads, StepRecord } from "./cells/cell";
import { tfOps } from "./ops";
import type { RowStacker } from "./outer";

export interface Stepper {
  /** Forward step t from the carry before it. */
  step(t: number, prev: Carry): { next: Carry; cache: Cache };
  /** One backward pass over the steps (each call of Pass.backward starts one). */
  backward(pT: Params, inputGrads: boolean): StepperBackward;
  /** Frees what the stepper holds. */
  dispose(): void;
}

export interface StepperBackward {
  /** Backward step t (called inside the scan's tidy, t = T … 1). */
  back(t: number, r: StepRecord, dNext: Carry): { dPrev: Carry; dParams: StepGrads };
  /** After the last step, inside a tidy that returns them: the input side's gradients, ∂L/∂x_t. */
  finish(rows: RowStacker): { dParams: Params; dxs: tf.Tensor2D[] };
  /** Frees what `back` kept that `finish` did not hand out. */
  release(): void;
}

/** The cell's equations as written: x_t in, ∂L/∂x_t out, every step. */
export function referenceStepper(cell: Cell, p: Params, xs: tf.Tensor2D[]): Stepper {
  return {
    step: (t, prev) => cell.step(tfOps, p, prev, xs[t]) as { next: Carry; cache: Cache },
    backward(pT, inputGrads) {
      const dxs: tf.Tensor2D[] = inputGrads ? new Array(xs.length) : [];
      return {
        back(t, r, dNext) {
          const { dPrev, dx, dParams } = cell.backStep(tfOps, p, pT, r, dNext);
          if (inputGrads) dxs[t] = tf.keep(dx as tf.Tensor2D); // else the scan's tidy frees dx
          return { dPrev: dPrev as Carry, dParams };
        },
        finish: () => ({ dParams: {}, dxs }),
        release() {},
      };
    },
    dispose() {},
  };
}
