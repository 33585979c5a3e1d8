/**
 * A model: a recurrent layer (any Layer: a cell unrolled, stacked, bidirectional) and a dense
 * head on its outputs, trained with a loss.
 *
 *   many-to-many ("sequence"):  ŷ_t = y_t Why + by  at every step, loss averaged over real steps
 *   many-to-one  ("last"):      ŷ   = y_{last} Why + by  with y_{last} the last real step
 *
 * `lossAndGrads` is one forward and one backward pass; it returns the loss, the gradients of
 * every parameter (layer names plus "head.Why", "head.by") and the final carry.
 */
import * as tf from "@tensorflow/tfjs";
import { glorotUniform, subSeed, bias } from "./init";
import {
  Carry,
  checkSequence,
  cloneCarry,
  disposeAll,
  Layer,
  Params,
  Pass,
  prefixed,
} from "./layer";
import { LossName, lossFunction } from "./loss";
import { checkDistributions, checkFinite } from "./guards";
import { checkElements, countParams } from "./cells/cell";
import { splitRows } from "./fast/rows";
import { disposeMask, lastStepSelectors, MaskInput, rowWeights, stepMask } from "./mask";

export type OutputMode = "sequence" | "last";

export interface Model {
  readonly layer: Layer;
  readonly outputSize: number;
  readonly output: OutputMode;
  readonly loss: LossName;
  readonly shapes: Readonly<Record<string, readonly number[]>>;
}

export interface ModelOptions {
  layer: Layer;
  /** Width of the head's output (vocabulary size, or 1 for a regression). */
  outputSize: number;
  /** A prediction at every step, or one after the last real step. */
  output?: OutputMode;
  loss?: LossName;
}

export function model({
  layer,
  outputSize,
  output = "sequence",
  loss = "softmax",
}: ModelOptions): Model {
  if (!Number.isInteger(outputSize) || outputSize <= 0)
    throw new Error(`model: outputSize must be a positive integer (got ${outputSize})`);
  if (output !== "sequence" && output !== "last")
    throw new Error(`model: output must be "sequence" or "last" (got ${JSON.stringify(output)})`);
  lossFunction(loss);
  const H = layer.outputSize;
  checkElements("model", `outputSize ${outputSize} and a layer output of ${H}`, [H, outputSize]);
  return {
    layer,
    outputSize,
    output,
    loss,
    shapes: { ...layer.shapes, "head.Why": [H, outputSize], "head.by": [outputSize] },
  };
}

/** Seeded initial parameters of a model. */
export function initModel(m: Model, seed: number): Params {
  return {
    ...m.layer.init(subSeed(seed, 0)),
    "head.Why": glorotUniform(m.layer.outputSize, m.outputSize, subSeed(seed, 1)),
    "head.by": bias(m.outputSize),
  };
}

/** Number of scalar parameters of a model. */
export function modelParamCount(m: Model): number {
  return countParams(m.shapes);
}

export interface Batch {
  /** Inputs: T tensors [B, D]. */
  xs: tf.Tensor2D[];
  /** Targets per step [B, O] (output "sequence"): one-hot for softmax, values for mse. */
  targets?: tf.Tensor2D[];
  /** Target after the last real step [B, O] (output "last"). */
  target?: tf.Tensor2D;
  /** [B, T] mask of real steps (variable-length batches). */
  mask?: tf.Tensor2D;
  /** Carry to start from (stateful use). */
  carry?: Carry;
}

export interface LossAndGradsOptions {
  /** Truncation k2 of the carry gradient (see unroll). */
  truncate?: number;
  /** Also return ‖∂L/∂h_t‖ per step. */
  gradNorms?: boolean;
}

export interface LossAndGrads {
  loss: number;
  /** Gradients by parameter name; the caller owns (and disposes) them. */
  grads: Params;
  /** Final carry; the caller owns it (pass it as the next batch's carry, or dispose it). */
  carry: Carry;
  /** ∂L/∂(initial carry), when the batch brought a carry (e.g. from an encoder); the caller owns it. */
  dCarry?: Carry;
  gradNorms?: Record<string, number[]>;
}

/** One forward and backward pass of the model on a batch. */
export function lossAndGrads(
  m: Model,
  p: Params,
  batch: Batch,
  { truncate, gradNorms = false }: LossAndGradsOptions = {},
): LossAndGrads {
  const { xs, targets, target, mask, carry } = batch;
  const B = checkSequence("model", xs, m.layer.inputSize);
  const T = xs.length;
  const O = m.outputSize;
  if (m.output === "sequence") checkSequence("model", targets, O, "targets");
  if (m.output === "sequence" && targets!.length !== T)
    throw new Error(
      `model: targets must have one [${B}, ${O}] tensor per step (${T}), got ${targets!.length}`,
    );
  if (m.output === "sequence" && targets![0].shape[0] !== B)
    throw new Error(`model: targets[0] must be [${B}, ${O}] (got [${targets![0].shape}])`);
  if (
    m.output === "last" &&
    !(
      target instanceof tf.Tensor &&
      target.rank === 2 &&
      target.shape[0] === B &&
      target.shape[1] === O
    )
  ) {
    throw new Error(`model: target must be [${B}, ${O}] for output "last"`);
  }
  const Why = p["head.Why"] as tf.Tensor2D;
  const by = p["head.by"];
  const f = lossFunction(m.loss);
  const ys = m.output === "sequence" ? targets! : [target!];
  const yName = m.output === "sequence" ? "targets" : "target";
  checkFinite("model", "xs", xs); //                     bad data is named before any step runs
  const masked = stepMask("model", mask, B, T); //                 checked and cut once, shared
  const sm = masked.mask;
  let pass: Pass;
  try {
    if (sm && m.output === "sequence" && !sm.values.includes(1))
      throw new Error(
        "model: the mask has no real step (all zeros), so the loss would be 0/0; leave this batch out",
      );
    const seq = m.output === "sequence";
    if (m.loss !== "softmax") checkFinite("model", yName, ys, seq);
    else {
      const w = sm && seq ? (t: number, b: number) => sm.values[b * T + t] : undefined;
      checkDistributions("model", yName, ys, w, seq); //          finite and one-hot, one pass
    }
    pass = m.layer.forward(p, xs, { carry, mask: sm });
  } catch (e) {
    disposeMask(masked);
    throw e;
  }
  try {
    return tf.tidy(() => {
      let dys: (tf.Tensor2D | null)[] = new Array(T).fill(null);
      // the head on rows y [N, H]: ŷ = y Why + by, the loss averaged over `denom` real rows,
      // and its gradients; row weights (the mask) leave padded steps out
      const head = (
        y: tf.Tensor2D,
        yTrue: tf.Tensor2D,
        w: tf.Tensor2D | null,
        denom: tf.Scalar,
      ) => {
        const z = tf.add(tf.matMul(y, Why), by) as tf.Tensor2D; //                 ŷ   [N, O]
        const { losses, dz } = f(z, yTrue);
        const loss = tf.div(tf.sum(w ? tf.mul(losses, tf.reshape(w, [-1])) : losses), denom);
        const dzw = tf.div(w ? tf.mul(dz, w) : dz, denom) as tf.Tensor2D; //       ∂L/∂ŷ
        return {
          loss,
          dy: tf.matMul(dzw, tf.transpose(Why)) as tf.Tensor2D, //                  dz Whyᵀ
          dWhy: tf.matMul(tf.transpose(y), dzw), //                                 yᵀ dz
          dby: tf.sum(dzw, 0), //                                                   Σ_rows dz
        };
      };
      let h: ReturnType<typeof head>;
      if (m.output === "sequence") {
        // all steps through the head at once: rows t·B … t·B + B − 1 are step t
        const Y = tf.concat(pass.ys, 0) as tf.Tensor2D; //                           [T·B, H]
        const w = sm ? rowWeights(sm) : null; //                                      [T·B, 1]
        const denom = tf.scalar(sm ? sm.values.reduce((a, v) => a + v, 0) : B * T);
        h = head(Y, tf.concat(targets!, 0), w, denom);
        dys = splitRows(h.dy, T);
      } else {
        // y_last: per example, the output at its last real step (the final one without a mask)
        const lastOf = sm ? lastStepSelectors(sm) : null; //                         T × [B, 1] one-hot in time
        const yLast = lastOf
          ? (tf.addN(pass.ys.map((y, t) => tf.mul(y, lastOf[t]))) as tf.Tensor2D)
          : pass.ys[T - 1];
        h = head(yLast, target!, null, tf.scalar(B));
        for (let t = 0; t < T; t++)
          dys[t] = lastOf ? (tf.mul(h.dy, lastOf[t]) as tf.Tensor2D) : t === T - 1 ? h.dy : null;
      }
      const g = pass.backward(dys, { truncate, gradNorms, inputGrads: false });
      disposeAll(carry === undefined ? g.dCarry : null);
      const loss = h.loss.dataSync()[0];
      const carryOut = cloneCarry(pass.carry);
      const result: LossAndGrads = {
        loss,
        grads: { ...g.dParams, ...prefixed({ Why: h.dWhy, by: h.dby }, "head.") },
        carry: carryOut,
      };
      if (g.gradNorms) result.gradNorms = g.gradNorms;
      if (carry !== undefined) result.dCarry = g.dCarry;
      return result as unknown as tf.TensorContainer;
    }) as unknown as LossAndGrads;
  } finally {
    pass.dispose();
    disposeMask(masked);
  }
}

export interface Prediction {
  /** Head outputs ŷ_t [B, O] per step (raw: logits for softmax, values for mse). */
  outputs: tf.Tensor2D[];
  /** Final carry, to continue from (stateful forecasting). */
  carry: Carry;
}

/**
 * Forward only: ŷ_t = y_t Why + by for every step, and the final carry. No gradients are
 * kept; the caller owns (and disposes) the returned tensors.
 */
export function predict(
  m: Model,
  p: Params,
  xs: tf.Tensor2D[],
  { carry, mask }: { carry?: Carry; mask?: MaskInput } = {},
): Prediction {
  const pass = m.layer.forward(p, xs, { carry, mask }); //          checks the shapes first
  try {
    checkFinite("predict", "xs", xs);
    return tf.tidy(() => ({
      // all steps through the head at once, as in lossAndGrads, then cut back into steps
      outputs: splitRows(
        tf.add(tf.matMul(tf.concat(pass.ys, 0), p["head.Why"] as tf.Tensor2D), p["head.by"]),
        xs.length,
      ),
      carry: cloneCarry(pass.carry),
    })) as unknown as Prediction;
  } finally {
    pass.dispose();
  }
}
