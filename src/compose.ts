/**
 * Layers made of layers, for every cell:
 * - `reverse(layer)`: runs the sequence backwards and gives the outputs back in time order;
 * - `bidirectional(fw, bw, { merge })`: fw on the sequence, bw on it reversed, outputs merged
 *   per step (concat, sum, mul, ave), aligned in time;
 * - `stack([l0, l1, …])`: layer k+1 reads layer k's outputs (a deep RNN).
 * Parameters and carry parts are named with prefixes: "fw.Wx", "bw.c", "0.Wh", "1.fw.h".
 */
import * as tf from "@tensorflow/tfjs";
import {
  BackwardOptions,
  checkGradients,
  checkSequence,
  disposeAll,
  Grads,
  Layer,
  Pass,
  prefixed,
  unprefixed,
} from "./layer";
import { subSeed } from "./init";
import { disposeMask, flipMask, MaskInput, stepMask } from "./mask";

const flip = <T>(a: T[]): T[] => a.slice().reverse();

/** The mask checked and cut into steps once, for the layers inside to share. */
function sharedMask(what: string, D: number, xs: tf.Tensor2D[], mask: MaskInput | undefined) {
  if (mask === undefined) return stepMask(what, mask, 0, 0);
  return stepMask(what, mask, checkSequence(what, xs, D), xs.length);
}

/** The layer run from the last step to the first; outputs are returned in time order. */
export function reverse(layer: Layer): Layer {
  return {
    ...layer,
    name: `reverse(${layer.name})`,
    forward(p, xs, { carry, mask } = {}): Pass {
      const m = sharedMask(layer.name, layer.inputSize, xs, mask); //                          steps T … 1 below
      let inner: Pass;
      try {
        inner = layer.forward(p, flip(xs), { carry, mask: m.mask && flipMask(m.mask) });
      } catch (e) {
        disposeMask(m);
        throw e;
      }
      return {
        ys: flip(inner.ys),
        carry: inner.carry,
        backward(dys, options) {
          const g = inner.backward(flip(dys), options);
          const out: Grads = { ...g, dxs: flip(g.dxs) };
          if (g.gradNorms)
            out.gradNorms = Object.fromEntries(
              Object.entries(g.gradNorms).map(([k, v]) => [k, flip(v)]),
            );
          return out;
        },
        dispose() {
          inner.dispose();
          disposeMask(m);
        },
      };
    },
  };
}

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

    forward(p, xs, { carry, mask } = {}): Pass {
      const sub = (prefix: string) => (carry === undefined ? undefined : unprefixed(carry, prefix));
      const m = sharedMask("bidirectional", fw.inputSize, xs, mask);
      let f: Pass;
      try {
        f = fw.forward(unprefixed(p, "fw."), xs, { carry: sub("fw."), mask: m.mask });
      } catch (e) {
        disposeMask(m);
        throw e;
      }
      let b: Pass;
      try {
        b = back.forward(unprefixed(p, "bw."), xs, { carry: sub("bw."), mask: m.mask });
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

/** A deep RNN: layer k+1 reads layer k's outputs. Names are prefixed "0.", "1.", … */
export function stack(layers: Layer[]): Layer {
  if (!Array.isArray(layers) || layers.length === 0)
    throw new Error("stack: needs a non-empty array of layers");
  layers.forEach((l, k) => {
    if (k > 0 && l.inputSize !== layers[k - 1].outputSize) {
      throw new Error(
        `stack: layer ${k} reads ${l.inputSize} features but layer ${k - 1} outputs ${layers[k - 1].outputSize}`,
      );
    }
  });
  const pre = (k: number) => `${k}.`;
  const merged = <T>(f: (l: Layer, k: number) => Record<string, T>) =>
    Object.assign({}, ...layers.map((l, k) => prefixed(f(l, k), pre(k)))) as Record<string, T>;
  const last = layers[layers.length - 1];
  return {
    name: `stack(${layers.map((l) => l.name).join(", ")})`,
    inputSize: layers[0].inputSize,
    outputSize: last.outputSize,
    shapes: merged((l) => l.shapes),
    carrySizes: merged((l) => l.carrySizes),
    init: (seed) => merged((l, k) => l.init(subSeed(seed, k))),

    forward(p, xs, { carry, mask } = {}): Pass {
      const passes: Pass[] = [];
      const m = sharedMask("stack", layers[0].inputSize, xs, mask);
      try {
        let input = xs;
        layers.forEach((l, k) => {
          const pass = l.forward(unprefixed(p, pre(k)), input, {
            carry: carry && unprefixed(carry, pre(k)),
            mask: m.mask,
          });
          passes.push(pass);
          input = pass.ys;
        });
      } catch (e) {
        passes.forEach((q) => q.dispose());
        disposeMask(m);
        throw e;
      }
      return {
        ys: passes[passes.length - 1].ys,
        carry: Object.assign({}, ...passes.map((q, k) => prefixed(q.carry, pre(k)))),
        backward(dys, options: BackwardOptions = {}): Grads {
          const dc = options.dCarry;
          let d: (tf.Tensor2D | null)[] = dys;
          const grads: Grads[] = new Array(layers.length);
          for (let k = layers.length - 1; k >= 0; k--) {
            grads[k] = passes[k].backward(d, {
              ...options,
              dCarry: dc && unprefixed(dc, pre(k)),
              inputGrads: k === 0 ? options.inputGrads : true, //   the layer below needs them
            });
            if (d !== dys) disposeAll(d);
            d = grads[k].dxs;
          }
          const out: Grads = {
            dParams: Object.assign({}, ...grads.map((g, k) => prefixed(g.dParams, pre(k)))),
            dxs: grads[0].dxs,
            dCarry: Object.assign({}, ...grads.map((g, k) => prefixed(g.dCarry, pre(k)))),
          };
          if (options.gradNorms)
            out.gradNorms = Object.assign(
              {},
              ...grads.map((g, k) => prefixed(g.gradNorms ?? {}, pre(k))),
            );
          return out;
        },
        dispose() {
          passes.forEach((q) => q.dispose());
          disposeMask(m);
        },
      };
    },
  };
}
