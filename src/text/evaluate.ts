/**
 * The loss of a character model on held-out text, in nats per character:
 *
 *   L = −(1/N) Σ_t log p(x_{t+1} | x_1 … x_t)
 *
 * read as `streams` contiguous streams of ids[start, end), `steps` characters per chunk, with
 * the carry passed from chunk to chunk (so only the first characters of each stream are read
 * from a zero state), for at most `maxChunks` chunks.
 */
import * as tf from "@tensorflow/tfjs";
import { Carry, disposeAll, Params } from "../layer";
import { softmaxCrossEntropy } from "../loss";
import { Model, predict } from "../model";
import { textBatch, textLayout } from "./batches";

export interface TextLossOptions {
  start: number;
  end?: number;
  streams?: number;
  steps?: number;
  maxChunks?: number;
}

export function textLoss(
  m: Model,
  p: Params,
  ids: ArrayLike<number>,
  vocabSize: number,
  { start, end = ids.length, streams = 32, steps = 100, maxChunks = Infinity }: TextLossOptions,
): number {
  const layout = textLayout(end, { batch: streams, steps, start }).slice(0, maxChunks);
  if (layout.length === 0)
    throw new Error(`textLoss: [${start}, ${end}) is too short for ${streams} streams of ${steps}`);
  let carry: Carry | undefined;
  let sum = 0;
  let count = 0;
  try {
    for (const rows of layout) {
      const b = textBatch(ids, rows, vocabSize);
      const o = predict(m, p, b.xs, { carry });
      o.outputs.forEach((z, j) => {
        const l = softmaxCrossEntropy(z, b.targets[j]);
        sum += tf.tidy(() => tf.sum(l.losses).dataSync()[0]);
        count += rows.length;
        disposeAll(l);
      });
      disposeAll(b, o.outputs, carry);
      carry = o.carry;
    }
  } finally {
    disposeAll(carry);
  }
  return sum / count;
}
