/**
 * Masks for variable-length batches: [B, T] of 1 (a real step) and 0 (padding). A padded
 * step leaves the carry unchanged and adds nothing to the loss.
 *
 *   forward   carry_t = m_t ⊙ step(carry_{t−1}, x_t) + (1 − m_t) ⊙ carry_{t−1}
 *   backward  ∂L/∂next_t = m_t ⊙ ∂L/∂carry_t,   ∂L/∂carry_{t−1} += (1 − m_t) ⊙ ∂L/∂carry_t
 *
 * A mask is checked and cut into steps once per call of a model or layer (`stepMask`); the
 * layers inside (stacked, bidirectional, reversed) share those steps.
 */
import * as tf from "@tensorflow/tfjs";
import { MAX_ELEMENTS, type Carry } from "./cells/cell";
import { checkSequence } from "./layer";

/** The mask of right-padded sequences with the given lengths: mask[b][t] = t < lengths[b]. */
export function maskFromLengths(lengths: number[], T: number): tf.Tensor2D {
  if (!Number.isInteger(T) || T <= 0)
    throw new Error(`maskFromLengths: T must be a positive integer (got ${T})`);
  if (!Array.isArray(lengths) || lengths.length === 0)
    throw new Error("maskFromLengths: lengths must be a non-empty array, one length per sequence");
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n <= 0 || n > T)
      throw new Error(`maskFromLengths: lengths[${b}] must be an integer in 1..${T} (got ${n})`);
  });
  if (lengths.length * T > MAX_ELEMENTS)
    throw new Error(
      `maskFromLengths: a [${lengths.length}, ${T}] mask does not fit in one tensor (at most 2^28 values); use fewer or shorter sequences per batch`,
    );
  const v = new Float32Array(lengths.length * T);
  lengths.forEach((n, b) => v.fill(1, b * T, b * T + n));
  return tf.tensor2d(v, [lengths.length, T]);
}

/** A checked mask cut into steps: `steps[t]` [B, 1] is m_t; `values` the [B, T] mask, row-major. */
export interface StepMask {
  readonly steps: readonly tf.Tensor2D[];
  readonly values: Float32Array;
  readonly B: number;
  readonly T: number;
}

/** A mask as layers take it: a [B, T] tensor (checked here) or the steps of one already checked. */
export type MaskInput = tf.Tensor2D | StepMask;

const isStepMask = (m: unknown): m is StepMask =>
  typeof m === "object" && m !== null && !(m instanceof tf.Tensor) && "steps" in m;

/**
 * The mask cut into steps (checked: [B, T], only 0 and 1), and whether the caller made it (and
 * so frees it): a StepMask passed in is used as it is.
 */
export function stepMask(
  what: string,
  mask: MaskInput | undefined,
  B: number,
  T: number,
): { mask: StepMask | undefined; owned: boolean } {
  if (mask === undefined) return { mask: undefined, owned: false };
  if (isStepMask(mask)) {
    if (mask.B !== B || mask.T !== T)
      throw new Error(
        `${what}: mask must be [${B}, ${T}] (batch, time) (got [${mask.B}, ${mask.T}])`,
      );
    return { mask, owned: false };
  }
  if (
    !(mask instanceof tf.Tensor) ||
    mask.rank !== 2 ||
    mask.shape[0] !== B ||
    mask.shape[1] !== T
  ) {
    const got = mask instanceof tf.Tensor ? `[${mask.shape.join(", ")}]` : typeof mask;
    throw new Error(`${what}: mask must be [${B}, ${T}] (batch, time) of 0 and 1 (got ${got})`);
  }
  const values = Float32Array.from(mask.dataSync());
  for (let k = 0; k < values.length; k++) {
    if (values[k] !== 0 && values[k] !== 1)
      throw new Error(
        `${what}: mask must hold only 0 and 1 (found ${values[k]} at [${Math.floor(k / T)}, ${k % T}])`,
      );
  }
  const steps = Array.from({ length: T }, (_, t) => {
    const col = new Float32Array(B);
    for (let b = 0; b < B; b++) col[b] = values[b * T + t];
    return tf.tensor2d(col, [B, 1]);
  });
  return { mask: { steps, values, B, T }, owned: true };
}

/** The mask a layer made of layers checks once for the layers inside (none: no mask). */
export function layerMask(
  what: string,
  D: number,
  xs: tf.Tensor2D[],
  mask: MaskInput | undefined,
): { mask: StepMask | undefined; owned: boolean } {
  if (mask === undefined) return { mask: undefined, owned: false };
  return stepMask(what, mask, checkSequence(what, xs, D), xs.length);
}

/** The same mask for the sequence read backwards (the bw direction sees steps T … 1). */
export function flipMask(m: StepMask): StepMask {
  const { B, T } = m;
  const values = new Float32Array(B * T);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) values[b * T + t] = m.values[b * T + (T - 1 - t)];
  return { steps: m.steps.slice().reverse(), values, B, T };
}

/** Forward: carry_t = m ⊙ next + (1 − m) ⊙ prev (a padded step keeps the carry). */
export function blend(m: tf.Tensor2D, next: Carry, prev: Carry): Carry {
  const keep = tf.sub(1, m); //                                                   1 − m_t
  const mix = (k: string) => tf.add(tf.mul(m, next[k]), tf.mul(keep, prev[k])) as tf.Tensor2D;
  return Object.fromEntries(Object.keys(next).map((k) => [k, mix(k)]));
}

/** Backward of blend: ∂L/∂next = m ⊙ dS; the part that skips the step, (1 − m) ⊙ dS. */
export function unblend(m: tf.Tensor2D, dS: Carry): { dNext: Carry; dHeld: Carry } {
  const keep = tf.sub(1, m);
  const part = (w: tf.Tensor) =>
    Object.fromEntries(Object.entries(dS).map(([k, v]) => [k, tf.mul(v, w) as tf.Tensor2D]));
  return { dNext: part(m), dHeld: part(keep) };
}

/**
 * The blend of one unroll, step by step: the reference below (the equations, tfjs ops) or the
 * fast one (src/fast/mask.ts, our kernels); src/fast/policy.ts picks.
 */
export interface Blend {
  /** carry_t = m_t ⊙ next + (1 − m_t) ⊙ prev. */
  forward(t: number, next: Carry, prev: Carry): Carry;
  /** ∂L/∂next_t = m_t ⊙ dS (dS = ∂L/∂carry_t). */
  dNext(t: number, dS: Carry): Carry;
  /** ∂L/∂carry_{t−1} = dStep + (1 − m_t) ⊙ dS, dStep the step's own (from dNext). */
  dPrev(t: number, dS: Carry, dStep: Carry): Carry;
}

/** The reference blend of the mask `m`: blend and unblend, in tfjs ops. */
export function referenceBlend(m: StepMask): Blend {
  return {
    forward: (t, next, prev) => blend(m.steps[t], next, prev),
    dNext: (t, dS) => unblend(m.steps[t], dS).dNext,
    dPrev(t, dS, dStep) {
      const keep = tf.sub(1, m.steps[t]); //                                       1 − m_t
      const held = (k: string) => tf.add(dStep[k], tf.mul(keep, dS[k])) as tf.Tensor2D;
      return Object.fromEntries(Object.keys(dStep).map((k) => [k, held(k)]));
    },
  };
}

/** The mask as weights of the head's rows: w[t·B + b] = mask[b, t]. */
export function rowWeights({ values, B, T }: StepMask): tf.Tensor2D {
  const w = new Float32Array(T * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) w[t * B + b] = values[b * T + t];
  return tf.tensor2d(w, [T * B, 1]);
}

/** The number of real steps of each row of a mask, checked: every row has at least one. */
export function realSteps({ values: v, B, T }: StepMask): Float32Array {
  const n = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) n[b] += v[b * T + t];
    if (n[b] === 0)
      throw new Error(`model: mask row ${b} has no real step; every sequence needs at least one`);
  }
  return n;
}

/** For a [B, T] mask: T selectors [B, 1], 1 where t is the example's last real step. */
export function lastStepSelectors(m: StepMask): tf.Tensor2D[] {
  const { values: v, B, T } = m;
  realSteps(m); //                                          every row has a last real step
  const sel = Array.from({ length: T }, () => new Float32Array(B));
  for (let b = 0; b < B; b++) {
    let last = T - 1;
    while (v[b * T + last] !== 1) last--;
    sel[last][b] = 1;
  }
  return sel.map((s) => tf.tensor2d(s, [B, 1]));
}

/** Frees the steps of a mask the caller made. */
export function disposeMask(m: { mask: StepMask | undefined; owned: boolean }): void {
  if (m.owned) m.mask?.steps.forEach((s) => s.dispose());
}
