/**
 * Checkpoints: parameters and their metadata (configuration, vocabulary, step, anything
 * JSON) in a directory, so training can resume and a model can be used without retraining.
 *
 * Format (version 1):
 *   DIR/checkpoint.json  { "format": "rnn-workbook/checkpoint", "version": 1, "meta": {…},
 *                          "tensors": [{ "name", "shape", "offset", "length" }, …] }
 *   DIR/weights.bin      every tensor's float32 values, little-endian, back to back;
 *                        offset and length count float32 values.
 * Optionally Adam's state (`trainer.optimizerState()`), so a resumed run continues exactly:
 * its moments are tensors named "optimizer/<param>/m" and "optimizer/<param>/v", and
 * checkpoint.json gets "optimizer": { "name": "adam", "iterations": n }.
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "fs";
import { join } from "path";
import type { AdamState } from "./adam";
import type { Params } from "./cells/cell";

export const CHECKPOINT_FORMAT = "rnn-workbook/checkpoint";

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

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
  mkdirSync(dir, { recursive: true });
  const weights = Buffer.alloc(values.length * 4);
  values.forEach((v, k) => weights.writeFloatLE(v, k * 4));
  const head = { format: CHECKPOINT_FORMAT, version: 1, meta, tensors };
  const opt = optimizer && { optimizer: { name: "adam", iterations: optimizer.iterations } };
  const json = JSON.stringify({ ...head, ...opt }, null, 2) + "\n";
  // write both, then move into place: a crash never leaves a half-written pair behind
  writeFileSync(join(dir, "weights.bin.tmp"), weights);
  writeFileSync(join(dir, "checkpoint.json.tmp"), json);
  renameSync(join(dir, "weights.bin.tmp"), join(dir, "weights.bin"));
  renameSync(join(dir, "checkpoint.json.tmp"), join(dir, "checkpoint.json"));
}

export function loadCheckpoint<M = Record<string, unknown>>(dir: string): Checkpoint<M> {
  const jsonPath = join(dir, "checkpoint.json");
  const binPath = join(dir, "weights.bin");
  for (const p of [jsonPath, binPath])
    if (!existsSync(p))
      throw new Error(
        `loadCheckpoint: ${p} does not exist; save one with saveCheckpoint(dir, params, meta)`,
      );
  let head: {
    format?: string;
    version?: number;
    meta?: M;
    tensors?: TensorEntry[];
    optimizer?: { name: string; iterations: number };
  };
  try {
    head = JSON.parse(readFileSync(jsonPath, "utf8"));
  } catch (e) {
    throw new Error(`loadCheckpoint: ${jsonPath} is not valid JSON (${(e as Error).message})`);
  }
  if (head.format !== CHECKPOINT_FORMAT || head.version !== 1 || !Array.isArray(head.tensors)) {
    throw new Error(`loadCheckpoint: ${jsonPath} is not an ${CHECKPOINT_FORMAT} version 1 file`);
  }
  const bin = readFileSync(binPath);
  const total = head.tensors.reduce((n, t) => n + t.length, 0);
  if (bin.length !== total * 4)
    throw new Error(
      `loadCheckpoint: ${binPath} has ${bin.length} bytes, expected ${total * 4} (${total} float32 values)`,
    );
  const params: Params = {};
  const slots: Params = {};
  for (const t of head.tensors) {
    const v = new Float32Array(t.length);
    for (let k = 0; k < t.length; k++) v[k] = bin.readFloatLE((t.offset + k) * 4);
    if (t.shape.reduce((a, b) => a * b, 1) !== t.length)
      throw new Error(`loadCheckpoint: ${t.name} has shape [${t.shape}] but ${t.length} values`);
    if (t.name.startsWith(OPT)) slots[t.name.slice(OPT.length)] = tf.tensor(v, t.shape);
    else params[t.name] = tf.tensor(v, t.shape);
  }
  const ck: Checkpoint<M> = { params, meta: (head.meta ?? {}) as M };
  if (head.optimizer) ck.optimizer = { iterations: head.optimizer.iterations, slots };
  return ck;
}
