/**
 * Splitting a [n·B, W] tensor into n tensors [B, W] (consecutive row blocks), e.g. the head's
 * gradient for all steps back into steps. On the fast path each block is one copy; `tf.split`
 * on wasm reads the whole tensor once per block (O(n²)).
 */
import * as tf from "@tensorflow/tfjs";
import { fastPath } from "./policy";
import { fused } from "./registry";

/** Copies rows [start, start + rows) of a [N, width] tensor. */
const rowsKernel = fused<"x">("rnnwb.RowBlock", ({ ins: { x }, outs: [y], attrs }) => {
  const from = attrs.start * attrs.width;
  y.set(x.subarray(from, from + y.length));
});

/** n tensors [B, W] from a [n·B, W] tensor: copied blocks on the fast path, else `tf.split`. */
export function splitRows(x: tf.Tensor2D, n: number): tf.Tensor2D[] {
  const [N, W] = x.shape;
  if (N % n !== 0) throw new Error(`splitRows: ${N} rows do not split into ${n} equal blocks`);
  const B = N / n;
  if (!fastPath()) return tf.split(x, n, 0);
  return Array.from(
    { length: n },
    (_, t) => rowsKernel({ x }, [[B, W]], { start: t * B, width: W })[0] as tf.Tensor2D,
  );
}
