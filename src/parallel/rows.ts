/**
 * A batch as plain arrays, so it can cross to a worker thread (transferred, not copied), cut
 * into row shards, and weighed: the share of the whole batch's loss each shard carries.
 *
 *   xs       [T, B, D]   step-major, as Batch.xs
 *   targets  [T, B, O]   (output "sequence")   or   target [B, O]   (many-to-one)
 *   mask     [B, T]      1 real step, 0 padding
 *
 * The model's loss is a weighted mean, L = Σ_r w_r ℓ_r / Σ_r w_r over its counted rows r
 * (model.ts: every real (row, step) for "sequence", every row for "last"/"mean", each weighed by
 * its class weight). A shard k with weight W_k = Σ_{r ∈ k} w_r has loss L_k and gradient g_k, so
 *
 *   L = Σ_k (W_k / W) L_k,    ∂L/∂θ = Σ_k (W_k / W) g_k,    W = Σ_k W_k
 *
 * which is why data-parallel training with the same total batch follows one big batch.
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch, Model } from "../model";

export interface RawBatch {
  B: number;
  T: number;
  D: number;
  O: number;
  xs: Float32Array;
  targets?: Float32Array;
  target?: Float32Array;
  mask?: Float32Array;
}

/** Reads a batch's tensors into arrays (the batch is left as it was). */
export function packBatch(what: string, batch: Batch): RawBatch {
  return packShards(what, batch, undefined)[0];
}

/**
 * Reads a batch's tensors straight into the arrays of its row shards ([lo, hi) each; all rows
 * when none are given): each tensor is read once, each row copied once.
 */
export function packShards(
  what: string,
  batch: Batch,
  ranges: [number, number][] | undefined,
): RawBatch[] {
  if (!batch || !Array.isArray(batch.xs) || batch.xs.length === 0)
    throw new Error(`${what}: batch.xs must be a non-empty array of [B, D] tensors`);
  if (batch.carry)
    throw new Error(
      `${what}: batch.carry is not supported; use { stateful: true } and the workers keep each row's carry`,
    );
  const T = batch.xs.length;
  const [B, D] = batch.xs[0].shape;
  const O = (batch.targets?.[0] ?? batch.target)?.shape[1] ?? 0;
  const parts = ranges ?? [[0, B]];
  const shards: RawBatch[] = parts.map(([lo, hi]) => ({
    B: hi - lo,
    T,
    D,
    O,
    xs: new Float32Array(T * (hi - lo) * D),
  }));
  // step-major [T, B, width] tensors into each shard's [T, B_k, width]
  const steps = (ts: tf.Tensor2D[], width: number, name: string, key: "xs" | "targets") => {
    shards.forEach((s) => (s[key] ??= new Float32Array(T * s.B * width)));
    ts.forEach((t, k) => {
      if (t.shape[0] !== B || t.shape[1] !== width)
        throw new Error(
          `${what}: ${name}[${k}] is [${t.shape}] but ${name}[0] is [${B}, ${width}]; every step must have the same shape`,
        );
      const v = t.dataSync() as Float32Array;
      parts.forEach(([lo, hi], j) =>
        shards[j][key]!.set(v.subarray(lo * width, hi * width), k * (hi - lo) * width),
      );
    });
  };
  // row-major [B, width] tensors into each shard's [B_k, width]
  const rows = (t: tf.Tensor2D, width: number, key: "target" | "mask") => {
    const v = t.dataSync() as Float32Array;
    parts.forEach(([lo, hi], j) => (shards[j][key] = v.slice(lo * width, hi * width)));
  };
  steps(batch.xs, D, "xs", "xs");
  if (batch.targets) {
    if (batch.targets.length !== T)
      throw new Error(
        `${what}: targets must have one tensor per step (${T}), got ${batch.targets.length}`,
      );
    steps(batch.targets, O, "targets", "targets");
  }
  if (batch.target) rows(batch.target, O, "target");
  if (batch.mask) {
    if (batch.mask.shape[0] !== B || batch.mask.shape[1] !== T)
      throw new Error(`${what}: mask must be [${B}, ${T}] (got [${batch.mask.shape}])`);
    rows(batch.mask, T, "mask");
  }
  return shards;
}

/** Rows split as evenly as possible over at most `parts` shards: [lo, hi) of each. */
export function rowRanges(B: number, parts: number): [number, number][] {
  const n = Math.min(B, parts);
  const out: [number, number][] = [];
  for (let k = 0, lo = 0; k < n; k++) {
    const hi = lo + Math.floor(B / n) + (k < B % n ? 1 : 0);
    out.push([lo, hi]);
    lo = hi;
  }
  return out;
}

/** The arrays a worker sends back as tensors. */
export function unpackBatch(r: RawBatch): Batch {
  const steps = (a: Float32Array, w: number) =>
    Array.from({ length: r.T }, (_, t) =>
      tf.tensor2d(a.subarray(t * r.B * w, (t + 1) * r.B * w), [r.B, w]),
    );
  const b: Batch = { xs: steps(r.xs, r.D) };
  if (r.targets) b.targets = steps(r.targets, r.O);
  if (r.target) b.target = tf.tensor2d(r.target, [r.B, r.O]);
  if (r.mask) b.mask = tf.tensor2d(r.mask, [r.B, r.T]);
  return b;
}

/** W = Σ_r w_r: the weight of this batch's loss (see the top of this file). */
export function lossWeight(m: Model, r: RawBatch): number {
  const cw = m.classWeights;
  const classWeight = (a: Float32Array, row: number) => {
    if (!cw) return 1;
    let w = 0;
    for (let c = 0; c < r.O; c++) w += a[row * r.O + c] * cw[c]; //     one-hot · class weights
    return w;
  };
  let W = 0;
  if (m.output === "sequence") {
    if (!r.targets) throw new Error('lossWeight: output "sequence" needs targets');
    for (let t = 0; t < r.T; t++)
      for (let b = 0; b < r.B; b++) {
        const real = r.mask ? r.mask[b * r.T + t] : 1;
        if (real) W += real * classWeight(r.targets, t * r.B + b);
      }
  } else {
    if (!r.target) throw new Error(`lossWeight: output "${m.output}" needs target`);
    for (let b = 0; b < r.B; b++) W += classWeight(r.target, b);
  }
  return W;
}

/** The arrays a message carries, to transfer rather than copy. */
export const buffersOf = (r: RawBatch): ArrayBuffer[] =>
  [r.xs, r.targets, r.target, r.mask]
    .filter((a): a is Float32Array => a !== undefined)
    .map((a) => a.buffer as ArrayBuffer);
