/**
 * Weights to and from PyTorch: a model of ours as `nn.RNN` / `nn.LSTM` / `nn.GRU` (batch_first)
 * followed by an `nn.Linear` head, in a safetensors file with PyTorch's parameter names:
 *
 *   rnn.weight_ih_l{k}[_reverse]   [G·H, D]     = Wxᵀ (gate blocks in PyTorch's order)
 *   rnn.weight_hh_l{k}[_reverse]   [G·H, H]     = Whᵀ
 *   rnn.bias_ih_l{k}[_reverse]     [G·H]        = b  (LSTM, RNN: bias_hh = 0; GRU: bx)
 *   rnn.bias_hh_l{k}[_reverse]     [G·H]        = 0  (LSTM, RNN),  bh (GRU)
 *   head.weight [O, H·dirs] = Whyᵀ,   head.bias [O] = by
 *
 * Gate orders: the LSTM's i, f, g, o is PyTorch's; our GRU's z, r, n becomes PyTorch's r, z, n.
 * Reading PyTorch's two LSTM/RNN biases adds them (they only ever appear summed). Only the
 * reset-after GRU has a PyTorch counterpart: nn.GRU applies r to (W_hn h + b_hn), which is
 * gru.ts; gru-reset-before.ts (tf.layers' default) is refused with that reason.
 *
 * What PyTorch can express is what is accepted: one cell kind, stacked (num_layers), each layer
 * one direction or bidirectional with concat; a head on every step ("sequence"), on the last
 * step ("last", out[:, -1]) or the mean ("mean", out.mean(1)). The metadata says so, so a script
 * can build the module (scripts/torch_interop.py does).
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../layer";
import type { Model } from "../model";
import { LayerSpec, modelFromSpec, ModelSpec, specOf } from "../spec";
import { loadSafetensors, RawTensor, saveSafetensors } from "./safetensors";

/** How PyTorch builds the module (what the metadata's "torch" entry holds). */
export interface TorchConfig {
  module: "RNN" | "LSTM" | "GRU";
  nonlinearity?: "tanh" | "relu";
  input_size: number;
  hidden_size: number;
  num_layers: number;
  bidirectional: boolean;
  output_size: number;
  /** What the head reads: every step, the last step or the mean over steps. */
  output: "sequence" | "last" | "mean";
  loss: string;
}

const MODULES: Record<
  string,
  { module: TorchConfig["module"]; gates: number; act?: "tanh" | "relu" }
> = {
  simple: { module: "RNN", gates: 1, act: "tanh" },
  "simple+relu": { module: "RNN", gates: 1, act: "relu" },
  lstm: { module: "LSTM", gates: 4 },
  gru: { module: "GRU", gates: 3 },
};

/** Our block k holds PyTorch's block order[k]... as a map: PyTorch block j = our block PERM[j]. */
const PERM: Record<string, number[]> = { RNN: [0], LSTM: [0, 1, 2, 3], GRU: [1, 0, 2] };

interface Layout {
  config: TorchConfig;
  /** Our prefix of each (layer, direction): "", "0.", "fw.", "1.bw.", … */
  prefixes: { layer: number; reverse: boolean; prefix: string }[];
}

/** PyTorch's view of a model, or a one-line error saying what PyTorch cannot express. */
export function torchLayout(what: string, spec: ModelSpec): Layout {
  const no = (why: string) => new Error(`${what}: ${why}`);
  const layers: LayerSpec[] = "stack" in spec.layer ? spec.layer.stack : [spec.layer];
  let kind: string | undefined;
  let hidden = 0;
  let bidi: boolean | undefined;
  const prefixes: Layout["prefixes"] = [];
  const cellOf = (l: LayerSpec, at: string): { cell: string; hiddenSize: number } => {
    if (!("cell" in l))
      throw no(
        `${at} is not a cell; PyTorch's recurrent modules stack cells or bidirectional pairs`,
      );
    if (!(l.cell in MODULES))
      throw no(
        l.cell === "gru+reset-before"
          ? "gru+reset-before has no PyTorch counterpart: nn.GRU applies the reset gate after the recurrent product (use gru, reset-after)"
          : `cell ${l.cell} has no PyTorch module (only ${Object.keys(MODULES).join(", ")})`,
      );
    if (kind !== undefined && (l.cell !== kind || l.hiddenSize !== hidden))
      throw no(
        `PyTorch stacks one cell kind and size; this model mixes ${kind} ${hidden} and ${l.cell} ${l.hiddenSize}`,
      );
    kind = l.cell;
    hidden = l.hiddenSize;
    return l;
  };
  layers.forEach((l, k) => {
    const pre = layers.length > 1 ? `${k}.` : "";
    const isBi = "bidirectional" in l;
    if (bidi !== undefined && bidi !== isBi)
      throw no("PyTorch makes every layer bidirectional or none");
    bidi = isBi;
    if (isBi) {
      if ((l.merge ?? "concat") !== "concat")
        throw no(
          `PyTorch's bidirectional output concatenates; merge "${l.merge}" has no counterpart`,
        );
      l.bidirectional.forEach((d, r) => cellOf(d, `layer ${k} ${r ? "bw" : "fw"}`));
      prefixes.push({ layer: k, reverse: false, prefix: `${pre}fw.` });
      prefixes.push({ layer: k, reverse: true, prefix: `${pre}bw.` });
    } else {
      cellOf(l, `layer ${k}`);
      prefixes.push({ layer: k, reverse: false, prefix: pre });
    }
  });
  const first = "bidirectional" in layers[0] ? layers[0].bidirectional[0] : layers[0];
  const m = MODULES[kind!];
  return {
    config: {
      module: m.module,
      ...(m.act ? { nonlinearity: m.act } : {}),
      input_size: (first as { inputSize: number }).inputSize,
      hidden_size: hidden,
      num_layers: layers.length,
      bidirectional: bidi!,
      output_size: spec.outputSize,
      output: spec.output ?? "sequence",
      loss: spec.loss ?? "softmax",
    },
    prefixes,
  };
}

const suffix = (layer: number, reverse: boolean) => `_l${layer}${reverse ? "_reverse" : ""}`;

/** [rows, cols] row-major → its transpose. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** Reorders the G gate blocks along the last axis ([…, G·H]): block j of the result = block perm[j]. */
function permuteBlocks(a: Float32Array, G: number, H: number, perm: number[]): Float32Array {
  const out = new Float32Array(a.length);
  const rows = a.length / (G * H);
  for (let r = 0; r < rows; r++)
    perm.forEach((src, j) =>
      out.set(a.subarray(r * G * H + src * H, r * G * H + (src + 1) * H), r * G * H + j * H),
    );
  return out;
}

const inverse = (perm: number[]) => perm.map((_, j) => perm.indexOf(j));

/** Our parameter names of one cell, by role. */
const ROLES: Record<string, { Wx: string; Wh: string; b: string[] }> = {
  RNN: { Wx: "Wxh", Wh: "Whh", b: ["bh"] },
  LSTM: { Wx: "Wx", Wh: "Wh", b: ["b"] },
  GRU: { Wx: "Wx", Wh: "Wh", b: ["bx", "bh"] },
};

/** Our parameters under PyTorch's names and layouts, and the config that builds the module. */
export function toTorch(
  m: Model,
  p: Params,
): { tensors: Record<string, RawTensor>; config: TorchConfig } {
  const spec = specOrError("toTorch", m);
  const { config, prefixes } = torchLayout("toTorch", spec);
  const { module } = config;
  const H = config.hidden_size;
  const G = PERM[module].length;
  const perm = PERM[module];
  const roles = ROLES[module];
  const val = (k: string) => p[k].dataSync() as Float32Array;
  const out: Record<string, RawTensor> = {};
  for (const { layer, reverse, prefix } of prefixes) {
    const s = suffix(layer, reverse);
    const [D] = p[prefix + roles.Wx].shape;
    const Wx = permuteBlocks(val(prefix + roles.Wx), G, H, perm); //                  [D, G·H]
    const Wh = permuteBlocks(val(prefix + roles.Wh), G, H, perm); //                  [H, G·H]
    out[`rnn.weight_ih${s}`] = { shape: [G * H, D], data: transpose(Wx, D, G * H) };
    out[`rnn.weight_hh${s}`] = { shape: [G * H, H], data: transpose(Wh, H, G * H) };
    const b = roles.b.map((k) => permuteBlocks(val(prefix + k), G, H, perm));
    out[`rnn.bias_ih${s}`] = { shape: [G * H], data: b[0] };
    out[`rnn.bias_hh${s}`] = { shape: [G * H], data: b[1] ?? new Float32Array(G * H) };
  }
  const [Hin, O] = p["head.Why"].shape;
  out["head.weight"] = { shape: [O, Hin], data: transpose(val("head.Why"), Hin, O) };
  out["head.bias"] = { shape: [O], data: Float32Array.from(val("head.by")) };
  return { tensors: out, config };
}

/** PyTorch's tensors (by its names) as our parameters for model m (the caller owns them). */
export function fromTorch(
  m: Model,
  tensors: Record<string, RawTensor>,
  what = "fromTorch",
): Params {
  const spec = specOrError(what, m);
  const { config, prefixes } = torchLayout(what, spec);
  const { module } = config;
  const H = config.hidden_size;
  const G = PERM[module].length;
  const back = inverse(PERM[module]);
  const roles = ROLES[module];
  const take = (name: string, shape: number[]): Float32Array => {
    const t = tensors[name];
    if (!t)
      throw new Error(
        `${what}: tensor ${name} is missing (a ${module} of ${config.num_layers} layer(s), bidirectional: ${config.bidirectional})`,
      );
    if (t.shape.join() !== shape.join())
      throw new Error(`${what}: tensor ${name} is [${t.shape}] but this model needs [${shape}]`);
    return t.data;
  };
  const out: Params = {};
  try {
    for (const { layer, reverse, prefix } of prefixes) {
      const s = suffix(layer, reverse);
      const D = m.shapes[prefix + roles.Wx][0];
      const Wx = transpose(take(`rnn.weight_ih${s}`, [G * H, D]), G * H, D); //       [D, G·H]
      const Wh = transpose(take(`rnn.weight_hh${s}`, [G * H, H]), G * H, H); //       [H, G·H]
      out[prefix + roles.Wx] = tf.tensor2d(permuteBlocks(Wx, G, H, back), [D, G * H]);
      out[prefix + roles.Wh] = tf.tensor2d(permuteBlocks(Wh, G, H, back), [H, G * H]);
      const bih = take(`rnn.bias_ih${s}`, [G * H]);
      const bhh = take(`rnn.bias_hh${s}`, [G * H]);
      if (roles.b.length === 2) {
        out[prefix + roles.b[0]] = tf.tensor1d(permuteBlocks(bih, G, H, back));
        out[prefix + roles.b[1]] = tf.tensor1d(permuteBlocks(bhh, G, H, back));
      } else {
        const sum = bih.map((v, i) => v + bhh[i]); //             they only ever appear summed
        out[prefix + roles.b[0]] = tf.tensor1d(permuteBlocks(sum, G, H, back));
      }
    }
    const [Hin, O] = m.shapes["head.Why"];
    out["head.Why"] = tf.tensor2d(transpose(take("head.weight", [O, Hin]), O, Hin), [Hin, O]);
    out["head.by"] = tf.tensor1d(Float32Array.from(take("head.bias", [O])));
  } catch (e) {
    Object.values(out).forEach((t) => t.dispose());
    throw e;
  }
  for (const k of Object.keys(m.shapes))
    if (!(k in out)) throw new Error(`${what}: internal: parameter ${k} was not filled`);
  return out;
}

function specOrError(what: string, m: Model): ModelSpec {
  const spec = specOf(m);
  if (!spec)
    throw new Error(
      `${what}: the model needs a spec to be laid out for PyTorch; make it with rnn.modelFromSpec or rnn.charModel`,
    );
  return spec;
}

const META_SPEC = "rnn-workbook.spec";
const META_TORCH = "torch";

/** Saves a model's parameters as PyTorch's nn.RNN/LSTM/GRU + nn.Linear, in safetensors. */
export function saveTorch(path: string, m: Model, p: Params): TorchConfig {
  const { tensors, config } = toTorch(m, p);
  saveSafetensors(path, tensors, {
    format: "pt",
    [META_TORCH]: JSON.stringify(config),
    [META_SPEC]: JSON.stringify(specOf(m)),
  });
  return config;
}

/**
 * Loads a PyTorch-named safetensors file: the model (from its metadata's spec, or `model` when
 * given) and its parameters (the caller disposes them).
 */
export function loadTorch(path: string, model?: Model): { model: Model; params: Params } {
  const { tensors, metadata } = loadSafetensors(path);
  let m = model;
  if (!m) {
    const spec = metadata[META_SPEC];
    const torch = metadata[META_TORCH];
    if (!spec && !torch)
      throw new Error(
        `loadTorch: ${path} has neither "${META_SPEC}" nor "${META_TORCH}" metadata; pass the model it is for: loadTorch(path, model)`,
      );
    m = modelFromSpec(
      spec ? (JSON.parse(spec) as ModelSpec) : specFromTorch(JSON.parse(torch) as TorchConfig),
    );
  }
  return { model: m, params: fromTorch(m, tensors, `loadTorch: ${path}`) };
}

/** Our spec of the module a TorchConfig describes (a file written by PyTorch alone). */
export function specFromTorch(c: TorchConfig): ModelSpec {
  const cell = Object.keys(MODULES).find(
    (k) =>
      MODULES[k].module === c.module && (MODULES[k].act ?? "tanh") === (c.nonlinearity ?? "tanh"),
  );
  if (!cell) throw new Error(`loadTorch: module ${c.module} is not nn.RNN, nn.LSTM or nn.GRU`);
  const H = c.hidden_size;
  const dirs = c.bidirectional ? 2 : 1;
  const layers: LayerSpec[] = Array.from({ length: c.num_layers }, (_, k) => {
    const one = { cell, inputSize: k === 0 ? c.input_size : H * dirs, hiddenSize: H };
    return c.bidirectional ? { bidirectional: [one, { ...one }] } : one;
  });
  return {
    layer: layers.length === 1 ? layers[0] : { stack: layers },
    outputSize: c.output_size,
    output: c.output,
    loss: (c.loss ?? "softmax") as ModelSpec["loss"],
  };
}
