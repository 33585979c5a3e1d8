/**
 * Batches of (source, target) token sequences for the encoder–decoder, padded to the longest
 * of each side:
 *
 *   xs      x_1 … x_n, <pad> …                 source ids, one step [B, 1] per position
 *   decIn   <bos>, y_1 … y_m, <pad> …          what the decoder reads (teacher forcing)
 *   targets y_1 … y_m, <eos>, <pad> …          what it must write; tgtMask = 1 up to <eos>
 *
 * The target is one step longer than the phonemes: the decoder learns when to stop.
 */
import * as tf from "@tensorflow/tfjs";
import { maskFromLengths } from "../mask";
import { BOS_ID, EOS_ID, PAD_ID, Seq2SeqBatch } from "./model";

/** One training pair: source ids (≥ 1) and target ids (≥ 3, specials excluded). */
export interface Pair {
  src: readonly number[];
  tgt: readonly number[];
}

/** Steps [B, 1] of ids from B rows, padded with <pad> to T. */
function idSteps(rows: readonly (readonly number[])[], T: number): tf.Tensor2D[] {
  const B = rows.length;
  return Array.from({ length: T }, (_, t) => {
    const v = new Float32Array(B);
    rows.forEach((r, b) => (v[b] = t < r.length ? r[t] : PAD_ID));
    return tf.tensor2d(v, [B, 1]);
  });
}

/** Source ids of B words as steps [B, 1], padded, and their [B, Ts] mask. */
export function sourceBatch(sources: readonly (readonly number[])[]): {
  xs: tf.Tensor2D[];
  srcMask: tf.Tensor2D;
} {
  const Ts = Math.max(...sources.map((s) => s.length));
  return {
    xs: idSteps(sources, Ts),
    srcMask: maskFromLengths(
      sources.map((s) => s.length),
      Ts,
    ),
  };
}

/** A padded batch of pairs (the caller disposes it with disposeAll). */
export function pairBatch(pairs: readonly Pair[]): Seq2SeqBatch {
  if (!Array.isArray(pairs) || pairs.length === 0)
    throw new Error("pairBatch: needs a non-empty array of { src, tgt } pairs");
  pairs.forEach(({ src, tgt }, b) => {
    if (!Array.isArray(src) || src.length === 0 || !Array.isArray(tgt) || tgt.length === 0)
      throw new Error(`pairBatch: pair ${b} needs non-empty src and tgt id arrays`);
    if (src.some((v) => !(Number.isInteger(v) && v > PAD_ID)))
      throw new Error(`pairBatch: pair ${b} has a source id that is not a positive integer`);
    if (tgt.some((v) => !(Number.isInteger(v) && v > EOS_ID)))
      throw new Error(
        `pairBatch: pair ${b} has a target id below 3 (0, 1, 2 are <pad>, <bos>, <eos>; they are added here)`,
      );
  });
  const Td = Math.max(...pairs.map((q) => q.tgt.length)) + 1; //              + <eos>
  const B = pairs.length;
  const targets = new Float32Array(B * Td);
  pairs.forEach(({ tgt }, b) => {
    targets.set(tgt, b * Td);
    targets[b * Td + tgt.length] = EOS_ID;
  });
  return {
    ...sourceBatch(pairs.map((q) => q.src)),
    decIn: idSteps(
      pairs.map((q) => [BOS_ID, ...q.tgt]),
      Td,
    ),
    targets: tf.tensor2d(targets, [B, Td]),
    tgtMask: maskFromLengths(
      pairs.map((q) => q.tgt.length + 1),
      Td,
    ),
  };
}
