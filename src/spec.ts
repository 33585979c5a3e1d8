/**
 * A model as plain data (JSON): what a worker thread rebuilds the model from, and what the
 * PyTorch interop reads the layout from. A Layer is closures and cannot cross a thread; its
 * spec can.
 *
 *   layer  := { cell: "lstm", inputSize: 65, hiddenSize: 128 }     unroll(cellByName(…))
 *           | { stack: [layer, layer, …] }                           stack([…])
 *           | { bidirectional: [fw, bw], merge?: "concat" }          bidirectional(fw, bw)
 *           | { reverse: layer }                                     reverse(layer)
 *   model  := { layer, outputSize, output?: "sequence", loss?: "softmax", classWeights? }
 *
 *   const m = rnn.modelFromSpec({ layer: { cell: "lstm", inputSize: 65, hiddenSize: 128 },
 *                                 outputSize: 65 });
 *   rnn.specOf(m)          // the spec back (charModel's models have one too)
 */
import { cellByName } from "./cells";
import { bidirectional, MergeMode, reverse, stack } from "./compose";
import type { Layer } from "./layer";
import type { LossName } from "./loss";
import { model, Model, OutputMode } from "./model";
import { unroll } from "./scan";

export type LayerSpec =
  | { cell: string; inputSize: number; hiddenSize: number }
  | { stack: LayerSpec[] }
  | { bidirectional: [LayerSpec, LayerSpec]; merge?: MergeMode }
  | { reverse: LayerSpec };

export interface ModelSpec {
  layer: LayerSpec;
  outputSize: number;
  output?: OutputMode;
  loss?: LossName;
  classWeights?: number[];
}

const specs = new WeakMap<Model, ModelSpec>();

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The layer a spec describes; `at` names the place in the spec for errors. */
export function layerFromSpec(s: LayerSpec, at = "layer"): Layer {
  if (!isObject(s))
    throw new Error(`modelFromSpec: ${at} must be an object like { cell, inputSize, hiddenSize }`);
  if ("cell" in s) {
    const { cell, inputSize, hiddenSize } = s;
    return unroll(cellByName(cell, { inputSize, hiddenSize }, `modelFromSpec: ${at}`));
  }
  if ("stack" in s) {
    if (!Array.isArray(s.stack)) throw new Error(`modelFromSpec: ${at}.stack must be an array`);
    return stack(s.stack.map((l, k) => layerFromSpec(l, `${at}.stack[${k}]`)));
  }
  if ("bidirectional" in s) {
    const pair = s.bidirectional;
    if (!Array.isArray(pair) || pair.length !== 2)
      throw new Error(`modelFromSpec: ${at}.bidirectional must be [fw, bw]`);
    const [fw, bw] = pair.map((l, k) => layerFromSpec(l, `${at}.bidirectional[${k}]`));
    return bidirectional(fw, bw, { merge: s.merge });
  }
  if ("reverse" in s) return reverse(layerFromSpec(s.reverse, `${at}.reverse`));
  throw new Error(
    `modelFromSpec: ${at} must have one of cell, stack, bidirectional, reverse (got keys ${Object.keys(s).join(", ") || "none"})`,
  );
}

/** The model a spec describes, remembering its spec (`specOf`). */
export function modelFromSpec(spec: ModelSpec): Model {
  if (!isObject(spec))
    throw new Error("modelFromSpec: needs { layer, outputSize, output?, loss? }");
  const { layer, outputSize, output, loss, classWeights } = spec;
  const m = model({ layer: layerFromSpec(layer), outputSize, output, loss, classWeights });
  specs.set(m, JSON.parse(JSON.stringify(spec)) as ModelSpec); //           a copy: plain data
  return m;
}

/** The spec of a model made by modelFromSpec or charModel (undefined for other models). */
export function specOf(m: Model): ModelSpec | undefined {
  const s = specs.get(m);
  return s && (JSON.parse(JSON.stringify(s)) as ModelSpec);
}
