/**
 * Batches for truncated BPTT over a text, as char-rnn makes them: the text is laid out as B
 * contiguous streams (the stateful layout of src/series/stateful.ts) and walked T characters at
 * a time, so the carry at the end of batch k is the right start for batch k + 1.
 *   inputs:  one-hot(text[i]),  targets: one-hot(text[i + 1])
 */
import * as tf from "@tensorflow/tfjs";
import { oneHot } from "../onehot";
import { Layout, statefulLayout } from "../series/stateful";

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
