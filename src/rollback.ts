/**
 * What a training step changes — the parameters, the optimizer's slots (Adam's moments,
 * RMSProp's and Adagrad's accumulators, Adam's β powers) and its step count — kept so that a
 * diverged step can be undone:  θ, state ← θ_{k−1}, state_{k−1}.
 *
 * Keeping costs no copy: a tfjs clone shares its source's data, and updates replace a
 * variable's data (`assign`) rather than write into it, so the clone still holds the old values.
 */
import * as tf from "@tensorflow/tfjs";

type SlotList = { originalName: string; variable: tf.Variable }[];

const isSlotList = (v: unknown): v is SlotList =>
  Array.isArray(v) && v.every((s) => s === undefined || s?.variable instanceof tf.Variable);

export interface Snapshot {
  /** The trainer's step count when it was taken. */
  readonly steps: number;
  /** Puts every value back (the snapshot can be restored again or disposed). */
  restore(): void;
  dispose(): void;
}

/** Keeps the trainer's variables and every variable of the optimizer's own state. */
export function snapshot(
  vars: Record<string, tf.Variable>,
  opt: tf.Optimizer,
  steps: number,
): Snapshot {
  const o = opt as unknown as Record<string, unknown> & { iterations_: number };
  const params = Object.values(vars).map((v) => [v, tf.clone(v)] as const);
  const scalars: (readonly [tf.Variable, tf.Tensor])[] = [];
  const lists: (readonly [SlotList, tf.Tensor[]])[] = [];
  for (const value of Object.values(o)) {
    if (value instanceof tf.Variable)
      scalars.push([value, tf.clone(value)]); //  Adam's β^k
    else if (isSlotList(value) && value.length > 0)
      lists.push([value, value.map((s) => tf.clone(s.variable))]); //            moments by param
    else if (isSlotList(value)) lists.push([value, []]); //                        none made yet
  }
  const iterations = o.iterations_;
  return {
    steps,
    restore() {
      for (const [v, kept] of [...params, ...scalars]) v.assign(kept);
      for (const [list, kept] of lists) {
        list.slice(kept.length).forEach((s) => s?.variable.dispose()); // made after the snapshot
        list.length = kept.length;
        kept.forEach((k, i) => list[i].variable.assign(k));
      }
      o.iterations_ = iterations;
    },
    dispose() {
      tf.dispose([...params, ...scalars].map(([, kept]) => kept));
      tf.dispose(lists.flatMap(([, kept]) => kept));
    },
  };
}
