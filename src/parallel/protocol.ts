/**
 * What the main thread and its worker threads say to each other. Parameters and gradients
 * never travel in messages: each worker w has a slot in two SharedArrayBuffers, params[w] and
 * grads[w] (P float32 values each, laid out by `paramLayout`); a message carries a job, its
 * batch (transferred) and a few numbers.
 */
import type { ModelSpec } from "../spec";
import type { BackendName } from "../backend";
import type { RawBatch } from "./rows";

/** Where each parameter sits in a flat float32 array of P values. */
export interface ParamLayout {
  names: string[];
  shapes: number[][];
  offsets: number[];
  sizes: number[];
  total: number;
}

export function paramLayout(shapes: Readonly<Record<string, readonly number[]>>): ParamLayout {
  const names = Object.keys(shapes).sort(); //          sorted: the same order in every thread
  const sizes = names.map((k) => shapes[k].reduce((a, d) => a * d, 1));
  const offsets: number[] = [];
  let total = 0;
  for (const n of sizes) {
    offsets.push(total);
    total += n;
  }
  return { names, shapes: names.map((k) => [...shapes[k]]), offsets, sizes, total };
}

export interface WorkerInit {
  index: number;
  spec: ModelSpec;
  backend: BackendName;
  fused: boolean;
  layout: ParamLayout;
  /** [workers, P] float32: the parameters each worker computes with. */
  params: SharedArrayBuffer;
  /** [workers, P] float32: the gradient each worker hands back. */
  grads: SharedArrayBuffer;
}

/** A deliberate failure, for the tests of failure handling: throw in the job, or exit. */
export type Fault = "throw" | "exit";

export type ToWorker =
  | {
      type: "grad";
      job: number;
      batch: RawBatch;
      /** Write scale · g: the shard's share W_k / W of the batch's loss (rows.ts). */
      scale: number;
      seed: number;
      truncate?: number;
      /** Start from this worker's carried state, and keep the new one. */
      stateful: boolean;
      /** Wait this long before answering (emulates a slower or farther worker). */
      delayMs?: number;
      fault?: Fault;
    }
  | { type: "reset"; job: number }
  | { type: "tensors"; job: number }
  /** The last job's carry is kept (its update was applied) or dropped (it was not). No answer. */
  | { type: "commit"; keep: boolean; job?: undefined };

export type FromWorker =
  | { type: "ready"; backend: string }
  | { type: "done"; job: number; loss: number; ms: number }
  | { type: "reset"; job: number }
  | { type: "tensors"; job: number; numTensors: number }
  | { type: "error"; job: number; message: string };

/** A message as the trainers write it: the pool numbers the job. */
export type Job = ToWorker extends infer T ? (T extends unknown ? Omit<T, "job"> : never) : never;
