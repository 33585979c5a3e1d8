/**
 * What a cell's fast steps are: the same equations as its reference step, with the input side
 * taken out of the loop and the gate math of a step in one or two kernels.
 *
 *   Zx = X·p[input.W] + p[input.b]   [T·B, G·H], one product for all steps (projection.ts)
 *
 * A step reads its rows of Zx; its backward step returns ∂L/∂(its rows of Zx), from which the
 * fused stepper (stepper.ts) forms ∂L/∂W = Xᵀ dZx, ∂L/∂b = Σ dZx and dx = dZx Wᵀ for all
 * steps at once. Fast steps are looked up by the cell's name (cells.ts).
 */
import type * as tf from "@tensorflow/tfjs";
import type { Cache, Carry, Params, StepGrads, StepRecord } from "../cells/cell";

/** Rows start … start + B − 1 of a [T·B, W] tensor, read in place by a kernel. */
export interface Rows {
  readonly all: tf.Tensor2D;
  readonly start: number;
}

export interface FastSteps {
  /** Names of the input weight and bias. */
  readonly input: { readonly W: string; readonly b: string };
  /** Forward step from this step's rows of Zx. */
  step(p: Params, prev: Carry, zx: Rows): { next: Carry; cache: Cache };
  /** Backward step: dL/d(prev), dL/d(zx_t) and the gradients of the other parameters. */
  backStep(
    p: Params,
    pT: Params,
    r: Omit<StepRecord, "x">,
    dNext: Carry,
  ): { dPrev: Carry; dzx: tf.Tensor2D; dParams: StepGrads };
}
