/**
 * Adam (Kingma & Ba 2015) as tfjs' AdamOptimizer computes it (its update on the fast path is
 * src/fast/adam.ts), and its state: saved and restored by parameter name for checkpoints.
 *
 *   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²
 *   θ ← θ − lr · (m / (1 − β1^k)) / (√(v / (1 − β2^k)) + ε)        k: the step number
 *
 * Its state (moments, β^k, iterations) is tfjs' own, so getWeights/setWeights still work.
 */
import * as tf from "@tensorflow/tfjs";

export interface AdamSlots {
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/** One of Adam's moment slots, as tfjs keeps them: a non-trainable variable named after its parameter. */
export const slot = (varName: string, part: "m" | "v", value: tf.Tensor) => ({
  originalName: `${varName}/${part}`,
  variable: tf.variable(value, false),
});

/** β1^(k+1) and β2^(k+1) after step k, as tfjs keeps them. */
export function setBetaPowers(s: AdamSlots, k: number): void {
  tf.tidy(() => {
    s.accBeta1.assign(tf.scalar(s.beta1 ** (k + 1)));
    s.accBeta2.assign(tf.scalar(s.beta2 ** (k + 1)));
  });
}

/** Adam's state by parameter name (`Wx/m`, `Wx/v`, …) and its step count. */
export interface AdamState {
  iterations: number;
  slots: Record<string, tf.Tensor>;
}

/** A copy of the optimizer's moments for the trainer's variables, by parameter name. */
export function adamState(opt: tf.AdamOptimizer, vars: Record<string, tf.Variable>): AdamState {
  const s = opt as unknown as AdamSlots;
  const slots: Record<string, tf.Tensor> = {};
  Object.keys(vars).forEach((k, i) => {
    if (!s.accumulatedFirstMoment[i]) return; //                                 no step taken yet
    slots[`${k}/m`] = tf.clone(s.accumulatedFirstMoment[i].variable);
    slots[`${k}/v`] = tf.clone(s.accumulatedSecondMoment[i].variable);
  });
  return { iterations: opt.iterations, slots };
}

/** Puts saved moments back (copied) for the trainer's variables (in their update order). */
export function restoreAdam(
  opt: tf.AdamOptimizer,
  vars: Record<string, tf.Variable>,
  { iterations, slots }: AdamState,
): void {
  if (!Number.isInteger(iterations) || iterations < 0)
    throw new Error(`optimizer state: iterations must be a whole number ≥ 0 (got ${iterations})`);
  if (iterations === 0 && Object.keys(slots).length === 0) return;
  const s = opt as unknown as AdamSlots & { iterations_: number };
  Object.entries(vars).forEach(([k, theta], i) => {
    for (const part of ["m", "v"]) {
      const t = slots[`${k}/${part}`];
      if (!(t instanceof tf.Tensor) || t.shape.join() !== theta.shape.join())
        throw new Error(
          `optimizer state: ${k}/${part} must be a [${theta.shape.join(", ")}] tensor (got ${t instanceof tf.Tensor ? `[${t.shape.join(", ")}]` : "nothing"}); was it saved from another model?`,
        );
    }
    s.accumulatedFirstMoment[i] = slot(theta.name, "m", slots[`${k}/m`]);
    s.accumulatedSecondMoment[i] = slot(theta.name, "v", slots[`${k}/v`]);
  });
  s.iterations_ = iterations;
  setBetaPowers(s, iterations);
}
