/**
 * Checkpoints: parameters and their metadata (configuration, vocabulary, step, anything
 * JSON) in a directory, so training can resume and a model can be used without retraining.
 *
 * Format (version 1):
 *   DIR/checkpoint.json  { "format": "rnn-workbook/checkpoint", "version": 1, "meta": {…},
 *                          "tensors": [{ "name", "shape", "offset", "length" }, …] }
 *   DIR/weights.bin      every tensor's float32 values, little-endian, back to back;
 *                        offset and length count float32 values.
 * The optimizer's state (e.g. Adam's moments) is not saved: a resumed run starts it afresh.
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "fs";
import { join } from "path";
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
}

export function saveCheckpoint(
  dir: string,
  params: Params,
  meta: Record<string, unknown> = {},
): void {
  const names = Object.keys(params).sort();
  const tensors: TensorEntry[] = [];
  let offset = 0;
  const chunks: Float32Array[] = [];
  for (const name of names) {
    const t = params[name];
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
  const all = new Float32Array(offset);
  chunks.forEach((c, k) => all.set(c, tensors[k].offset));
  mkdirSync(dir, { recursive: true });
  const weights = Buffer.alloc(all.length * 4);
  all.forEach((v, k) => weights.writeFloatLE(v, k * 4));
  const json =
    JSON.stringify({ format: CHECKPOINT_FORMAT, version: 1, meta, tensors }, null, 2) + "\n";
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
  let head: { format?: string; version?: number; meta?: M; tensors?: TensorEntry[] };
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
  for (const t of head.tensors) {
    const v = new Float32Array(t.length);
    for (let k = 0; k < t.length; k++) v[k] = bin.readFloatLE((t.offset + k) * 4);
    if (t.shape.reduce((a, b) => a * b, 1) !== t.length)
      throw new Error(`loadCheckpoint: ${t.name} has shape [${t.shape}] but ${t.length} values`);
    params[t.name] = tf.tensor(v, t.shape);
  }
  return { params, meta: (head.meta ?? {}) as M };
}
