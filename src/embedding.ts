/**
 * An embedding: token ids → rows of a trainable matrix E, as the input of any layer.
 *
 *   x_t = E[id_t]                               E [V, D], one id per row   x_t [B, D]
 *   ∂L/∂E[v] = Σ_{t, b : id_{t,b} = v} ∂L/∂x_{t,b}   (a scatter-add of the layer's input gradients)
 *
 * It is the same work as a one-hot input times W (a row gather forward, a scatter-add back),
 * without materialising the [B, V] one-hot rows, so vocabularies of any size fit. Ids come as
 * T tensors [B, 1] of integers (float32, like every sequence). Id 0 is `<pad>` by the
 * vocabulary's convention (src/text/vocab.ts): padded steps are masked, so their gradient is 0.
 * Under a gradient tape (autodiff checks) the gather is written as oneHot(ids) E, which tfjs
 * differentiates on every backend; the result is the same.
 */
import * as tf from "@tensorflow/tfjs";
import { rng, subSeed } from "./init";
import { BackwardOptions, checkSequence, disposeAll, Grads, Layer, Pass } from "./layer";
import { checkElements } from "./cells/cell";
import { splitRows } from "./fast/rows";

export interface EmbedOptions {
  /** Number of token ids V (ids 0 … V − 1). */
  vocabSize: number;
  /** Half-width a of the initial values U(−a, a) (default 0.05, as Keras). */
  scale?: number;
}

/** The ids of T steps [B, 1] as one int32 list (step t in rows t·B … t·B + B − 1), checked. */
function readIds(xs: tf.Tensor2D[], V: number): Int32Array {
  const B = xs[0].shape[0];
  const ids = new Int32Array(xs.length * B);
  xs.forEach((x, t) => {
    const v = x.dataSync();
    for (let b = 0; b < B; b++) {
      const id = v[b];
      if (!(Number.isInteger(id) && id >= 0 && id < V))
        throw new Error(
          `embed: xs[${t}] row ${b} holds id ${id}, outside the vocabulary 0..${V - 1}; encode tokens with the vocabulary (unknown ones become <unk>)`,
        );
      ids[t * B + b] = id;
    }
  });
  return ids;
}

/** Seeded E [V, D] with values U(−a, a). */
function initE(V: number, D: number, a: number, seed: number): tf.Tensor2D {
  const u = rng(seed);
  const v = new Float32Array(V * D);
  for (let i = 0; i < v.length; i++) v[i] = (2 * u() - 1) * a;
  return tf.tensor2d(v, [V, D]);
}

/**
 * `embed(layer, { vocabSize })`: a Layer reading token ids [B, 1] per step, with parameter
 * "embed.E" [V, layer.inputSize] beside the layer's own (names unchanged).
 */
export function embed(layer: Layer, { vocabSize, scale = 0.05 }: EmbedOptions): Layer {
  const V = vocabSize;
  const D = layer.inputSize;
  if (!Number.isInteger(V) || V < 2)
    throw new Error(`embed: vocabSize must be an integer ≥ 2 (got ${V}), e.g. vocab.size`);
  if (!(scale > 0 && Number.isFinite(scale)))
    throw new Error(`embed: scale must be a positive number (got ${scale})`);
  checkElements("embed", `vocabSize ${V} and width ${D}`, [V, D]);
  return {
    name: `embed(${V}, ${layer.name})`,
    inputSize: 1,
    outputSize: layer.outputSize,
    shapes: { "embed.E": [V, D], ...layer.shapes },
    carrySizes: layer.carrySizes,
    init: (seed) => ({ "embed.E": initE(V, D, scale, subSeed(seed, 7)), ...layer.init(seed) }),

    forward(p, xs, options = {}): Pass {
      const B = checkSequence("embed", xs, 1);
      const T = xs.length;
      const E = p["embed.E"] as tf.Tensor2D;
      if (!(E instanceof tf.Tensor) || E.shape.join() !== `${V},${D}`)
        throw new Error(`embed: parameter embed.E must be [${V}, ${D}]`);
      const ids = tf.tensor1d(readIds(xs, V), "int32"); //                           [T·B]
      const inner = { ...p };
      delete inner["embed.E"];
      let pass: Pass;
      const X = tf.tidy(
        () =>
          tf.engine().isTapeOn()
            ? splitRows(tf.matMul(tf.oneHot(ids, V).toFloat(), E), T) //  oneHot(ids) E: autodiff
            : splitRows(tf.gather(E, ids), T), //                          x_t = E[id_t]  [B, D]
      );
      try {
        pass = layer.forward(inner, X, options);
      } catch (e) {
        disposeAll(ids, X);
        throw e;
      }
      return {
        ys: pass.ys,
        carry: pass.carry,
        backward(dys, o: BackwardOptions = {}): Grads {
          const g = pass.backward(dys, { ...o, inputGrads: true }); //     ∂L/∂x_t, for ∂L/∂E
          const dE = tf.tidy(() => {
            const dX = tf.concat(g.dxs, 0); //                                          [T·B, D]
            return tf.scatterND(tf.reshape(ids, [-1, 1]), dX, [V, D]); // Σ rows with the same id
          });
          disposeAll(g.dxs);
          const dxs = o.inputGrads === false ? [] : xs.map(() => tf.zeros([B, 1]) as tf.Tensor2D);
          return { ...g, dParams: { "embed.E": dE, ...g.dParams }, dxs }; //  ids: no gradient
        },
        dispose() {
          pass.dispose();
          disposeAll(ids, X);
        },
      };
    },
  };
}
