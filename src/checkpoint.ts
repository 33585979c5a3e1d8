/**
 * Checkpoints: parameters and their metadata (configuration, vocabulary, step, anything
 * JSON) in a directory, so training can resume and a model can be used without retraining.
 *
 * Format (version 2; version 1, with its weights in DIR/weights.bin and no checksum, still loads):
 *   DIR/checkpoint.json  { "format": "rnn-workbook/checkpoint", "version": 2, "meta": {…},
 *                          "tensors": [{ "name", "shape", "offset", "length" }, …],
 *                          "weights": { "file", "bytes", "sha256" } }
 *   DIR/weights-<hash>.bin  every tensor's float32 values, little-endian, back to back;
 *                        offset and length count float32 values.
 * Saving is atomic (src/checkpoint-files.ts): a reader sees the old checkpoint or the new one,
 * whenever the writer is killed; the checksum is verified on load.
 * Optionally Adam's state (`trainer.optimizerState()`), so a resumed run continues exactly:
 * its moments are tensors named "optimizer/<param>/m" and "optimizer/<param>/v", and
 * checkpoint.json gets "optimizer": { "name": "adam", "iterations": n }.
 */
import * as tf from "@tensorflow/tfjs";
import type { AdamState } from "./adam";
import type { Params } from "./cells/cell";
import { commitCheckpoint, readCheckpoint, TensorEntry } from "./checkpoint-files";

export { CHECKPOINT_FORMAT } from "./checkpoint-files";

export interface Checkpoint<M = Record<string, unknown>> {
  params: Params;
  meta: M;
  /** Adam's state, when it was saved. */
  optimizer?: AdamState;
}

const OPT = "optimizer/";

export function saveCheckpoint(
  dir: string,
  params: Params,
  meta: Record<string, unknown> = {},
  optimizer?: AdamState,
): void {
  for (const name of Object.keys(params))
    if (name.startsWith(OPT))
      throw new Error(`saveCheckpoint: parameter names may not start with "${OPT}" (${name})`);
  const all: Params = { ...params };
  for (const [k, t] of Object.entries(optimizer?.slots ?? {})) all[OPT + k] = t;
  const names = Object.keys(all).sort();
  const tensors: TensorEntry[] = [];
  let offset = 0;
  const chunks: Float32Array[] = [];
  for (const name of names) {
    const t = all[name];
    if (t.dtype !== "float32")
      throw new Error(`saveCheckpoint: ${name} is ${t.dtype}; only float32 parameters are saved`);
    const v = t.dataSync() as Float32Array;
    if (v.some((x) => !Number.isFinite(x)))
      throw new Error(
        `saveCheckpoint: ${name} holds NaN or infinite values; not saving a broken model`,
      );
    tensors.push({ name, shape: t.shape, offset, length: v.length });
    chunks.push(v);
    offset += v.length;
  }
  const values = new Float32Array(offset);
  chunks.forEach((c, k) => values.set(c, tensors[k].offset));
  const opt = optimizer && { optimizer: { name: "adam", iterations: optimizer.iterations } };
  commitCheckpoint(dir, values, { meta, tensors, ...opt });
}

/** Names a parameter may not have: they would change what a plain object is. */
const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

/** Checks the tensor table against the weights: names, shapes, offsets in range, no overlap. */
function checkTable(where: string, tensors: TensorEntry[], total: number): void {
  const seen = new Set<string>();
  const spans: [number, number, string][] = [];
  for (const t of tensors) {
    const name = typeof t?.name === "string" ? t.name : JSON.stringify(t?.name);
    const bad = (why: string) => new Error(`loadCheckpoint: ${where}: tensor ${name} ${why}`);
    if (typeof t?.name !== "string" || t.name === "" || RESERVED.has(t.name.split("/").pop()!))
      throw bad("has a name a parameter cannot have");
    if (seen.has(t.name)) throw bad("is listed twice");
    seen.add(t.name);
    const isCount = (n: unknown) => Number.isInteger(n) && (n as number) >= 0;
    if (!Array.isArray(t.shape) || !t.shape.every(isCount))
      throw bad(`has shape ${JSON.stringify(t.shape)}; expected a list of whole numbers`);
    if (!isCount(t.offset) || !isCount(t.length) || t.offset + t.length > total)
      throw bad(`has offset ${t.offset} and length ${t.length}, outside the ${total} values saved`);
    if (t.shape.reduce((a, b) => a * b, 1) !== t.length)
      throw bad(`has shape [${t.shape}] but ${t.length} values`);
    spans.push([t.offset, t.offset + t.length, t.name]);
  }
  spans.sort((x, y) => x[0] - y[0]);
  for (let k = 1; k < spans.length; k++)
    if (spans[k][0] < spans[k - 1][1])
      throw new Error(
        `loadCheckpoint: ${where}: tensors ${spans[k - 1][2]} and ${spans[k][2]} overlap in the weights`,
      );
}

export interface LoadOptions {
  /** Accept NaN or infinite weights (default: a one-line error naming the tensor). */
  allowNonFinite?: boolean;
}

export function loadCheckpoint<M = Record<string, unknown>>(
  dir: string,
  { allowNonFinite = false }: LoadOptions = {},
): Checkpoint<M> {
  const { head, bytes, weightsPath } = readCheckpoint(dir);
  const total = Math.floor(bytes.length / 4);
  const expected = head.tensors.reduce((n, t) => n + (Number(t?.length) || 0), 0);
  if (bytes.length !== expected * 4)
    throw new Error(
      `loadCheckpoint: ${weightsPath} has ${bytes.length} bytes, expected ${expected * 4} (${expected} float32 values)`,
    );
  checkTable(weightsPath, head.tensors, total);
  const params: Params = {};
  const slots: Params = {};
  const values = head.tensors.map((t) => {
    const v = new Float32Array(t.length);
    for (let k = 0; k < t.length; k++) v[k] = bytes.readFloatLE((t.offset + k) * 4);
    if (!allowNonFinite && v.some((x) => !Number.isFinite(x)))
      throw new Error(
        `loadCheckpoint: ${t.name} holds NaN or infinite values; pass { allowNonFinite: true } to load it anyway`,
      );
    return v;
  });
  head.tensors.forEach((t, k) => {
    const tensor = tf.tensor(values[k], t.shape);
    if (t.name.startsWith(OPT)) slots[t.name.slice(OPT.length)] = tensor;
    else params[t.name] = tensor;
  });
  const ck: Checkpoint<M> = { params, meta: (head.meta ?? {}) as M };
  if (head.optimizer) ck.optimizer = { iterations: head.optimizer.iterations, slots };
  return ck;
}
