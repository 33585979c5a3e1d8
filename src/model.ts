/**
 * A model: a recurrent layer (any Layer: a cell unrolled, stacked, bidirectional) and a dense
 * head on its outputs, trained with a loss.
 *
 *   many-to-many ("sequence"):  ŷ_t = y_t Why + by  at every step, loss averaged over real steps
 *   many-to-one  ("last"):      ŷ   = y_{last} Why + by  with y_{last} the last real step
 *   many-to-one  ("mean"):      ŷ   = ȳ Why + by,  ȳ = Σ_t m_t y_t / Σ_t m_t  (mean over real steps)
 *
 * Backward of the pooling: ∂L/∂y_t = s_t ⊙ ∂L/∂ȳ with s_t the step's weight (one-hot in time
 * for "last", m_t / n for "mean"). With `classWeights` (softmax) each row's loss counts w_c of
 * its class c, and the loss is Σ w ℓ / Σ w (PyTorch's weighted mean).
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
import {
  disposeMask,
  lastStepSelectors,
  MaskInput,
  realSteps,
  rowWeights,
  StepMask,
  stepMask,
} from "./mask";

export type OutputMode = "sequence" | "last" | "mean";

export interface Model {
  readonly layer: Layer;
  readonly outputSize: number;
  readonly output: OutputMode;
  readonly loss: LossName;
  /** Weight of each class in the softmax loss (none: all 1). */
  readonly classWeights?: readonly number[];
  readonly shapes: Readonly<Record<string, readonly number[]>>;
}

export interface ModelOptions {
  layer: Layer;
  /** Width of the head's output (vocabulary size, or 1 for a regression). */
  outputSize: number;
  /** A prediction at every step, one after the last real step, or one from the mean over steps. */
  output?: OutputMode;
  loss?: LossName;
  /** Softmax only: weight of each class in the loss, outputSize positive numbers. */
  classWeights?: number[];
}

export function model({
  layer,
  outputSize,
  output = "sequence",
  loss = "softmax",
  classWeights,
}: ModelOptions): Model {
  if (!Number.isInteger(outputSize) || outputSize <= 0)
    throw new Error(`model: outputSize must be a positive integer (got ${outputSize})`);
  if (output !== "sequence" && output !== "last" && output !== "mean")
    throw new Error(
      `model: output must be "sequence", "last" or "mean" (got ${JSON.stringify(output)})`,
    );
  lossFunction(loss);
  if (classWeights !== undefined) checkClassWeights(classWeights, outputSize, loss);
  const H = layer.outputSize;
  checkElements("model", `outputSize ${outputSize} and a layer output of ${H}`, [H, outputSize]);
  return {
    layer,
    outputSize,
    output,
    loss,
    ...(classWeights ? { classWeights: [...classWeights] } : {}),
    shapes: { ...layer.shapes, "head.Why": [H, outputSize], "head.by": [outputSize] },
  };
}

/** Class weights: one finite positive number per class, softmax loss only. */
function checkClassWeights(w: unknown, O: number, loss: LossName): void {
  if (loss !== "softmax")
    throw new Error(`model: classWeights apply to the softmax loss only (loss is "${loss}")`);
  if (!Array.isArray(w) || w.length !== O)
    throw new Error(`model: classWeights must be an array of ${O} numbers, one per class`);
  w.forEach((v, c) => {
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0))
      throw new Error(`model: classWeights[${c}] must be a finite positive number (got ${v})`);
  });
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
  /** Seed of this pass's dropout masks (dropout.ts; default 0); the trainer passes one per step. */
  seed?: number;
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
  { truncate, gradNorms = false, seed = 0 }: LossAndGradsOptions = {},
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
    m.output !== "sequence" &&
    !(
      target instanceof tf.Tensor &&
      target.rank === 2 &&
      target.shape[0] === B &&
      target.shape[1] === O
    )
  ) {
    throw new Error(`model: target must be [${B}, ${O}] for output "${m.output}"`);
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
    pass = m.layer.forward(p, xs, { carry, mask: sm, train: { seed } }); //   dropout on
  } catch (e) {
    disposeMask(masked);
    throw e;
  }
  try {
    return tf.tidy(() => {
      let dys: (tf.Tensor2D | null)[] = new Array(T).fill(null);
      const cw = m.classWeights ? tf.tensor2d([...m.classWeights], [O, 1]) : null; //   [O, 1]
      // the head on rows y [N, H]: ŷ = y Why + by, the loss averaged over `denom` real rows,
      // and its gradients; row weights (the mask) leave padded steps out
      const head = (
        y: tf.Tensor2D,
        yTrue: tf.Tensor2D,
        w: tf.Tensor2D | null,
        denom: tf.Tensor,
      ) => {
        const z = tf.add(tf.matMul(y, Why), by) as tf.Tensor2D; //                 ŷ   [N, O]
        const { losses, dz } = f(z, yTrue);
        if (cw) {
          const wc = tf.matMul(yTrue, cw) as tf.Tensor2D; //           w of each row's class [N, 1]
          w = w ? (tf.mul(w, wc) as tf.Tensor2D) : wc;
          denom = tf.sum(w); //                                                    Σ w
        }
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
        // one row per sequence: ȳ = Σ_t s_t ⊙ y_t with s_t [B, 1] the pooling weights over time
        // ("last": 1 at the last real step; "mean": m_t / n), and ∂L/∂y_t = s_t ⊙ ∂L/∂ȳ
        const s = poolingWeights(m.output, sm, B, T); //               T × [B, 1], null: y_T alone
        h = head(pool(pass.ys, s), target!, null, tf.scalar(B));
        for (let t = 0; t < T; t++)
          dys[t] = s ? (tf.mul(h.dy, s[t]) as tf.Tensor2D) : t === T - 1 ? h.dy : null;
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

/**
 * The weights s_t [B, 1] of a many-to-one model's pooling over time: "last" picks each row's
 * last real step, "mean" weighs real steps by 1/n (n real steps in the row). Null: no mask and
 * "last", so y_T is used directly.
 */
function poolingWeights(
  mode: OutputMode,
  sm: StepMask | undefined,
  B: number,
  T: number,
): tf.Tensor2D[] | null {
  if (mode === "last") return sm ? lastStepSelectors(sm) : null;
  if (!sm) return Array.from({ length: T }, () => tf.fill([B, 1], 1 / T) as tf.Tensor2D);
  const n = realSteps(sm); //                                  real steps of each row, ≥ 1
  return sm.steps.map((mt) => tf.div(mt, tf.tensor2d(n, [B, 1])) as tf.Tensor2D); //  m_t / n
}

/** ȳ = Σ_t s_t ⊙ y_t (s null: y_T). */
const pool = (ys: tf.Tensor2D[], s: tf.Tensor2D[] | null): tf.Tensor2D =>
  s ? (tf.addN(ys.map((y, t) => tf.mul(y, s[t]))) as tf.Tensor2D) : ys[ys.length - 1];

export interface Prediction {
  /** Head outputs ŷ_t [B, O] per step (raw: logits for softmax, values for mse). */
  outputs: tf.Tensor2D[];
  /** Many-to-one models ("last", "mean"): the head on the pooled output, ŷ [B, O]. */
  output?: tf.Tensor2D;
  /** Final carry, to continue from (stateful forecasting). */
  carry: Carry;
}

/**
 * Forward only: ŷ_t = y_t Why + by for every step, the final carry, and for a many-to-one
 * model ŷ = ȳ Why + by (pooled as in training, over the mask's real steps). No dropout, no
 * gradients; the caller owns (and disposes) the returned tensors.
 */
export function predict(
  m: Model,
  p: Params,
  xs: tf.Tensor2D[],
  { carry, mask }: { carry?: Carry; mask?: MaskInput } = {},
): Prediction {
  const B = checkSequence("predict", xs, m.layer.inputSize);
  const T = xs.length;
  const masked = stepMask("predict", mask, B, T); //                  checked and cut once, shared
  let pass: Pass;
  try {
    pass = m.layer.forward(p, xs, { carry, mask: masked.mask }); //     checks the shapes first
  } catch (e) {
    disposeMask(masked);
    throw e;
  }
  try {
    checkFinite("predict", "xs", xs);
    return tf.tidy(() => {
      const Why = p["head.Why"] as tf.Tensor2D;
      const readout = (y: tf.Tensor2D) => tf.add(tf.matMul(y, Why), p["head.by"]) as tf.Tensor2D;
      // all steps through the head at once, as in lossAndGrads, then cut back into steps
      const out: Prediction = {
        outputs: splitRows(readout(tf.concat(pass.ys, 0) as tf.Tensor2D), T),
        carry: cloneCarry(pass.carry),
      };
      if (m.output !== "sequence") {
        const pooled = pool(pass.ys, poolingWeights(m.output, masked.mask, B, T));
        out.output = readout(pooled);
      }
      return out as unknown as tf.TensorContainer;
    }) as unknown as Prediction;
  } finally {
    pass.dispose();
    disposeMask(masked);
  }
}
