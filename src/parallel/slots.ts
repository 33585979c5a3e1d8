/** Parameters into a worker's slot, and gradients out of the slots as tensors. */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../layer";
import type { ParamLayout } from "./protocol";

/** Writes the parameters (by name) into a flat slot, in the layout's order. */
export function writeParams(layout: ParamLayout, p: Params, slot: Float32Array): void {
  layout.names.forEach((k, i) => slot.set(p[k].dataSync() as Float32Array, layout.offsets[i]));
}

/** g = Σ_k a_k g_k over the slots, as one tensor per parameter (the caller owns them). */
export function combineGrads(layout: ParamLayout, slots: Float32Array[], a: number[]): Params {
  const g = new Float32Array(layout.total);
  slots.forEach((s, k) => {
    const ak = a[k];
    for (let i = 0; i < g.length; i++) g[i] += ak * s[i];
  });
  return Object.fromEntries(
    layout.names.map((k, i) => {
      const o = layout.offsets[i];
      return [k, tf.tensor(g.subarray(o, o + layout.sizes[i]), layout.shapes[i])];
    }),
  );
}
