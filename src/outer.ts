/**
 * A layer's parameter gradients summed over the steps of a backward pass:
 *
 *   a gradient value g_t:            ∂L/∂θ = Σ_t g_t, a running sum
 *   an outer product (a_t, b_t):     ∂L/∂W = Σ_t a_tᵀ b_t = [a_1; …; a_T]ᵀ [b_1; …; b_T]
 *   a row sum (null, b_t):           ∂L/∂bias = Σ_t Σ_batch b_t
 *
 * Outer products are kept per step and summed with one matMul at the end: on wasm a transposed
 * matMul per step costs 10× a plain one.
 */
import * as tf from "@tensorflow/tfjs";
import { isOuter, Outer, Params, StepGrads } from "./cells/cell";
import { disposeAll } from "./layer";

/** Stacks lists of [B, n] tensors into [T·B, n], each list once (lists may be shared). */
export type RowStacker = (list: tf.Tensor2D[]) => tf.Tensor2D;

/** A RowStacker whose results are kept by the ids of the list (call it inside a tidy). */
export function rowStacker(): RowStacker {
  const stacked = new Map<string, tf.Tensor2D>();
  return (list) => {
    const key = list.map((t) => t.id).join();
    let s = stacked.get(key);
    if (s === undefined) stacked.set(key, (s = tf.concat(list, 0)));
    return s;
  };
}

/**
 * Aᵀ B for A [N, m], B [N, n]. wasm's matMul packs its right operand afresh at each call, in
 * time proportional to its size, so the narrower matrix goes on the right: Aᵀ B = (Bᵀ A)ᵀ when
 * n > m (for an LSTM's ∂Wh: B = dz is 4× wider than A = h).
 */
export function sumOfOuters(A: tf.Tensor2D, B: tf.Tensor2D): tf.Tensor2D {
  return B.shape[1] > A.shape[1]
    ? tf.transpose(tf.matMul(tf.transpose(B), A) as tf.Tensor2D)
    : tf.matMul(tf.transpose(A), B);
}

export interface GradientSums {
  /** Takes step t's gradients: values are added to the running sums (and freed), outers kept. */
  add(t: number, grads: StepGrads): void;
  /** The totals by parameter name, inside a tidy that returns them. */
  total(rows: RowStacker): Params;
  /** Frees the outer products kept (after total). */
  release(): void;
}

export function gradientSums(T: number): GradientSums {
  const sums: Params = {};
  const outers: Record<string, Outer[]> = {};
  const kept = () => Object.values(outers).map((list) => list.map((o) => o.b));
  return {
    add(t, grads) {
      for (const [k, g] of Object.entries(grads)) {
        if (isOuter(g)) (outers[k] ??= new Array(T))[t] = g as Outer;
        else if (!(k in sums)) sums[k] = g;
        else {
          const s = tf.add(sums[k], g);
          disposeAll(sums[k], g);
          sums[k] = s;
        }
      }
    },
    total(rows) {
      const out: Params = { ...sums };
      for (const [k, list] of Object.entries(outers)) {
        const b = rows(list.map((o) => o.b));
        const a = list[0].a === null ? null : rows(list.map((o) => o.a as tf.Tensor2D));
        out[k] = a === null ? tf.sum(b, 0) : sumOfOuters(a, b);
      }
      return out;
    },
    release: () => disposeAll(kept()),
  };
}
