/** `stack([l0, l1, …])`: a deep RNN, layer k+1 reads layer k's outputs; names "0.", "1.", … */
import * as tf from "@tensorflow/tfjs";
import { subSeed } from "../init";
import { BackwardOptions, disposeAll, Grads, Layer, Pass, prefixed, unprefixed } from "../layer";
import { disposeMask, layerMask } from "../mask";

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

    forward(p, xs, { carry, mask, train } = {}): Pass {
      const passes: Pass[] = [];
      const m = layerMask("stack", layers[0].inputSize, xs, mask);
      try {
        let input = xs;
        layers.forEach((l, k) => {
          const pass = l.forward(unprefixed(p, pre(k)), input, {
            carry: carry && unprefixed(carry, pre(k)),
            mask: m.mask,
            train: train && { ...train, seed: subSeed(train.seed, k) }, //  own dropout masks
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
