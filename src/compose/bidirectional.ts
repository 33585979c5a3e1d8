/**
 * `bidirectional(fw, bw, { merge })`: fw on the sequence, bw on it reversed, outputs merged per
 * step (concat, sum, mul, ave), aligned in time. Names get the prefixes "fw." and "bw.".
 */
import * as tf from "@tensorflow/tfjs";
import { subSeed } from "../init";
import {
  BackwardOptions,
  checkGradients,
  disposeAll,
  Grads,
  Layer,
  Pass,
  prefixed,
  unprefixed,
} from "../layer";
import { disposeMask, layerMask } from "../mask";
import { reverse } from "./reverse";

export type MergeMode = "concat" | "sum" | "mul" | "ave";
export const MERGE_MODES: readonly MergeMode[] = ["concat", "sum", "mul", "ave"];

/**
 * Bidirectional wrapper:  y_t = merge(fw_t, bw_t)  with fw over x_1 … x_T and bw over x_T … x_1.
 *   concat: [fw_t, bw_t];  sum: fw_t + bw_t;  mul: fw_t ⊙ bw_t;  ave: (fw_t + bw_t) / 2
 */
export function bidirectional(
  fw: Layer,
  bw: Layer,
  { merge = "concat" }: { merge?: MergeMode } = {},
): Layer {
  if (!MERGE_MODES.includes(merge))
    throw new Error(
      `bidirectional: merge must be one of ${MERGE_MODES.join(", ")} (got ${JSON.stringify(merge)})`,
    );
  if (fw.inputSize !== bw.inputSize)
    throw new Error(
      `bidirectional: fw and bw must read the same input size (got ${fw.inputSize} and ${bw.inputSize})`,
    );
  if (merge !== "concat" && fw.outputSize !== bw.outputSize) {
    throw new Error(
      `bidirectional: merge "${merge}" needs equal output sizes (got ${fw.outputSize} and ${bw.outputSize}); use "concat"`,
    );
  }
  const back = reverse(bw);
  const F = fw.outputSize;
  const outputSize = merge === "concat" ? F + bw.outputSize : F;
  return {
    name: `bidirectional(${fw.name}, ${bw.name}, ${merge})`,
    inputSize: fw.inputSize,
    outputSize,
    shapes: { ...prefixed(fw.shapes, "fw."), ...prefixed(bw.shapes, "bw.") },
    carrySizes: { ...prefixed(fw.carrySizes, "fw."), ...prefixed(bw.carrySizes, "bw.") },
    init: (seed) => ({
      ...prefixed(fw.init(subSeed(seed, 0)), "fw."),
      ...prefixed(bw.init(subSeed(seed, 1)), "bw."),
    }),

    forward(p, xs, { carry, mask, train } = {}): Pass {
      const tr = (k: number) => train && { ...train, seed: subSeed(train.seed, k) };
      const sub = (prefix: string) => (carry === undefined ? undefined : unprefixed(carry, prefix));
      const m = layerMask("bidirectional", fw.inputSize, xs, mask);
      let f: Pass;
      try {
        f = fw.forward(unprefixed(p, "fw."), xs, { carry: sub("fw."), mask: m.mask, train: tr(0) });
      } catch (e) {
        disposeMask(m);
        throw e;
      }
      let b: Pass;
      try {
        b = back.forward(unprefixed(p, "bw."), xs, {
          carry: sub("bw."),
          mask: m.mask,
          train: tr(1),
        });
      } catch (e) {
        f.dispose();
        disposeMask(m);
        throw e;
      }
      const ys = f.ys.map((yf, t) => {
        const yb = b.ys[t];
        if (merge === "concat") return tf.concat([yf, yb], 1) as tf.Tensor2D;
        if (merge === "sum") return tf.add(yf, yb) as tf.Tensor2D;
        if (merge === "mul") return tf.mul(yf, yb) as tf.Tensor2D;
        return tf.tidy(() => tf.mul(tf.add(yf, yb), 0.5)) as tf.Tensor2D;
      });
      const B = xs[0].shape[0];
      return {
        ys,
        carry: { ...prefixed(f.carry, "fw."), ...prefixed(b.carry, "bw.") },
        backward(dys, options: BackwardOptions = {}): Grads {
          checkGradients("bidirectional", dys, xs.length, B, outputSize);
          const parts = dys.map((dy, t) => {
            if (dy === null) return [null, null];
            if (merge === "concat") return tf.split(dy, [F, bw.outputSize], 1) as tf.Tensor2D[];
            if (merge === "sum") return [dy, dy];
            if (merge === "mul") return [tf.mul(dy, b.ys[t]), tf.mul(dy, f.ys[t])] as tf.Tensor2D[]; // ∂(f⊙b)
            const half = tf.mul(dy, 0.5) as tf.Tensor2D;
            return [half, half];
          });
          const ownParts = merge === "sum" ? [] : parts;
          const dc = options.dCarry;
          try {
            const gf = f.backward(
              parts.map((q) => q[0]),
              { ...options, dCarry: dc && unprefixed(dc, "fw.") },
            );
            const gb = b.backward(
              parts.map((q) => q[1]),
              { ...options, dCarry: dc && unprefixed(dc, "bw.") },
            );
            const dxs = gf.dxs.map((d, t) => tf.add(d, gb.dxs[t]) as tf.Tensor2D);
            disposeAll(gf.dxs, gb.dxs);
            const out: Grads = {
              dParams: { ...prefixed(gf.dParams, "fw."), ...prefixed(gb.dParams, "bw.") },
              dxs,
              dCarry: { ...prefixed(gf.dCarry, "fw."), ...prefixed(gb.dCarry, "bw.") },
            };
            if (options.gradNorms)
              out.gradNorms = {
                ...prefixed(gf.gradNorms ?? {}, "fw."),
                ...prefixed(gb.gradNorms ?? {}, "bw."),
              };
            return out;
          } finally {
            disposeAll(ownParts);
          }
        },
        dispose() {
          disposeAll(ys);
          f.dispose();
          b.dispose();
          disposeMask(m);
        },
      };
    },
  };
}
