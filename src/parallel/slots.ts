/** Parameters into a worker's slot, and gradients out of the slots as tensors. */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../layer";
import type { ParamLayout } from "./protocol";

/** Writes the parameters (by name) into a flat slot, in the layout's order. */
export function writeParams(layout: ParamLayout, p: Params, slot: Float32Array): void {
  layout.names.forEach((k, i) => slot.set(p[k].dataSync() as Float32Array, layout.offsets[i]));
}

/** g = Σ_k g_k over the slots (each already weighted), as tensors (the caller owns them). */
export function sumGrads(layout: ParamLayout, slots: Float32Array[]): Params {
  const g = Float32Array.from(slots[0]);
  for (const s of slots.slice(1)) for (let i = 0; i < g.length; i++) g[i] += s[i];
  return Object.fromEntries(
    layout.names.map((k, i) => {
      const o = layout.offsets[i];
      return [k, tf.tensor(g.subarray(o, o + layout.sizes[i]), layout.shapes[i])];
    }),
  );
}
