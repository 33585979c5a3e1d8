/**
 * The mask blend of src/mask.ts in our kernels, one kernel call for all carry parts:
 *
 *   forward   carry_t = m_t ⊙ next + (1 − m_t) ⊙ carry_{t−1}
 *   backward  ∂L/∂next_t = m_t ⊙ dS,   ∂L/∂carry_{t−1} = dStep + (1 − m_t) ⊙ dS
 *
 * m_t [B, 1] holds only 0 and 1 (stepMask checks), so each example's row is a copy: of next or
 * carry_{t−1}, of dS or zeros, dStep alone or plus dS. A step where every example is real
 * (m_t = 1) costs nothing: carry_t = next and ∂L/∂next_t = dS (the tensors themselves).
 */
import type * as tf from "@tensorflow/tfjs";
import type { Carry } from "../cells/cell";
import type { Blend, StepMask } from "../mask";
import { fused } from "./registry";

/** Row b of a [B, W] view. */
const row = (v: Float32Array, b: number, W: number) => v.subarray(b * W, (b + 1) * W);

/** out_k[b] = next_k[b] if m[b] = 1 else prev_k[b], for the parts k = 0, 1, … */
const blendRows = fused<string>("rnnwb.MaskBlend", ({ ins, outs }) => {
  const m = ins.m; //                                                           [B, 1]
  outs.forEach((out, k) => {
    const [next, prev, W] = [ins[`next${k}`], ins[`prev${k}`], out.length / m.length]; // [B, W]
    for (let b = 0; b < m.length; b++) out.set(row(m[b] === 1 ? next : prev, b, W), b * W);
  });
});

/** out_k[b] = dS_k[b] if m[b] = 1 else 0 (m ⊙ dS). */
const keepRows = fused<string>("rnnwb.MaskGrad", ({ ins, outs }) => {
  const m = ins.m; //                                                           [B, 1]
  outs.forEach((out, k) => {
    const [dS, W] = [ins[`dS${k}`], out.length / m.length]; //                  [B, W]
    for (let b = 0; b < m.length; b++)
      if (m[b] === 1) out.set(row(dS, b, W), b * W);
      else row(out, b, W).fill(0);
  });
});

/** out_k = dStep_k, plus dS_k[b] in the rows where m[b] = 0 (dStep + (1 − m) ⊙ dS). */
const heldRows = fused<string>("rnnwb.MaskHeldGrad", ({ ins, outs }) => {
  const m = ins.m; //                                                           [B, 1]
  outs.forEach((out, k) => {
    const [dS, dStep, W] = [ins[`dS${k}`], ins[`dStep${k}`], out.length / m.length]; // [B, W]
    out.set(dStep);
    for (let b = 0; b < m.length; b++)
      if (m[b] !== 1) for (let j = b * W; j < (b + 1) * W; j++) out[j] += dS[j];
  });
});

/** The parts of `c` as kernel inputs `name0`, `name1`, … in the order of `keys`. */
const parts = (c: Carry, name: string, keys: string[]) =>
  Object.fromEntries(keys.map((k, i) => [`${name}${i}`, c[k]]));

/** A kernel's outputs (one per key, in order) as a Carry. */
const asCarry = (outs: tf.Tensor[], keys: string[]) =>
  Object.fromEntries(keys.map((k, i) => [k, outs[i] as tf.Tensor2D])) as Carry;

/** Output shapes: those of the parts of `c`. */
const shapes = (c: Carry, keys: string[]) => keys.map((k) => c[k].shape);

/** The fast blend of the mask `m` (same results as referenceBlend, in our kernels). */
export function fastBlend(mask: StepMask): Blend {
  const { B, T, values, steps } = mask;
  const full = Array.from({ length: T }, (_, t) => {
    for (let b = 0; b < B; b++) if (values[b * T + t] !== 1) return false;
    return true; //                                                  every example real at t
  });
  return {
    forward(t, next, prev) {
      if (full[t]) return next;
      const keys = Object.keys(next);
      const ins = { m: steps[t], ...parts(next, "next", keys), ...parts(prev, "prev", keys) };
      return asCarry(blendRows(ins, shapes(next, keys)), keys);
    },
    dNext(t, dS) {
      if (full[t]) return dS;
      const keys = Object.keys(dS);
      return asCarry(keepRows({ m: steps[t], ...parts(dS, "dS", keys) }, shapes(dS, keys)), keys);
    },
    dPrev(t, dS, dStep) {
      if (full[t]) return dStep;
      const keys = Object.keys(dStep);
      const ins = { m: steps[t], ...parts(dS, "dS", keys), ...parts(dStep, "dStep", keys) };
      return asCarry(heldRows(ins, shapes(dStep, keys)), keys);
    },
  };
}
