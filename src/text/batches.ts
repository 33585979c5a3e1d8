/**
 * Batches for truncated BPTT over a text, as char-rnn makes them: the text is laid out as B
 * contiguous streams (the stateful layout of src/series/stateful.ts) and walked T characters at
 * a time, so the carry at the end of batch k is the right start for batch k + 1.
 *   inputs:  one-hot(text[i]),  targets: one-hot(text[i + 1])
 */
import * as tf from "@tensorflow/tfjs";
import { oneHot } from "../onehot";
import { rng } from "../init";
import { Layout, statefulLayout } from "../series/stateful";
import { maskFromLengths } from "../mask";

export interface TextBatch {
  /** T inputs [B, V]. */
  xs: tf.Tensor2D[];
  /** T targets [B, V]: the next character of each input. */
  targets: tf.Tensor2D[];
}

/** The layout of B streams over ids[start … end − 1], each step's target being the next id. */
export function textLayout(
  length: number,
  { batch, steps, start = 0 }: { batch: number; steps: number; start?: number },
): Layout {
  return statefulLayout(length - start - 1, { streams: batch, steps, start });
}

/** The one-hot tensors of one batch of a layout. */
export function textBatch(ids: ArrayLike<number>, rows: number[][], vocabSize: number): TextBatch {
  // step j of every row, shifted by 0 (inputs) or 1 (targets: the next character)
  const at = (shift: number) => (_: number, j: number) =>
    oneHot(
      rows.map((r) => ids[r[j] + shift]),
      vocabSize,
    );
  return { xs: rows[0].map(at(0)), targets: rows[0].map(at(1)) };
}

/** A batch of token-id sequences padded to the longest: what `embed` and a mask take. */
export interface TokenBatch {
  /** T steps [B, 1] of ids; <pad> (0) after each sequence's end. */
  xs: tf.Tensor2D[];
  /** [B, T]: 1 at real steps, 0 at padding. */
  mask: tf.Tensor2D;
  lengths: number[];
}

/** Sequences of token ids, right-padded with <pad> = 0 to the longest, and their mask. */
export function tokenBatch(seqs: readonly (readonly number[])[]): TokenBatch {
  if (!Array.isArray(seqs) || seqs.length === 0)
    throw new Error("tokenBatch: needs a non-empty array of id sequences");
  const lengths = seqs.map((s, b) => {
    if (!Array.isArray(s) || s.length === 0)
      throw new Error(
        `tokenBatch: sequence ${b} is empty; every sequence needs at least one token`,
      );
    return s.length;
  });
  const T = Math.max(...lengths);
  const B = seqs.length;
  const xs = Array.from({ length: T }, (_, t) =>
    tf.tensor2d(
      seqs.map((s) => [t < s.length ? s[t] : 0]),
      [B, 1],
    ),
  );
  return { xs, mask: maskFromLengths(lengths, T), lengths };
}

/**
 * `rows` windows of `steps` characters at seeded random places in ids[start, end) (inputs, and
 * the next character as targets): stateless batches, each its own draw (asynchronous SGD's
 * workers each take one).
 */
export function randomWindows(
  ids: ArrayLike<number>,
  vocabSize: number,
  { rows, steps, seed, start = 0, end = ids.length }: RandomWindowOptions,
): TextBatch {
  if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(steps) && steps > 0))
    throw new Error(
      `randomWindows: rows and steps must be positive integers (got ${rows}, ${steps})`,
    );
  if (end - start < steps + 1)
    throw new Error(
      `randomWindows: the text [${start}, ${end}) is shorter than one window of ${steps} + 1 characters`,
    );
  const u = rng(seed);
  const starts = Array.from(
    { length: rows },
    () => start + Math.floor(u() * (end - start - steps)),
  );
  return textBatch(
    ids,
    starts.map((s) => Array.from({ length: steps }, (_, j) => s + j)),
    vocabSize,
  );
}

export interface RandomWindowOptions {
  rows: number;
  steps: number;
  seed: number;
  /** The part of the text to draw from: [start, end). */
  start?: number;
  end?: number;
}
