/**
 * Running a many-to-one model as a classifier: class probabilities p = softmax(ŷ) of each
 * sequence and the most probable class, in chunks, every tensor freed.
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../layer";
import { Model, predict } from "../model";

/** What a classifier batch holds: inputs and, for variable lengths, the [B, T] mask. */
export interface ClassifierInput {
  xs: tf.Tensor2D[];
  mask?: tf.Tensor2D;
}

export interface Classified {
  /** argmax_c p_c per sequence. */
  labels: number[];
  /** p [N, K] row-major: softmax of the head's pooled output. */
  probabilities: Float32Array;
  /** Number of classes K. */
  classes: number;
}

/**
 * Class probabilities of the sequences `indices`, `chunk` at a time: `batchOf(ids)` builds the
 * inputs of those sequences (freed here after use).
 */
export function classify(
  m: Model,
  p: Params,
  batchOf: (ids: number[]) => ClassifierInput,
  indices: number[],
  { chunk = 500 }: { chunk?: number } = {},
): Classified {
  if (m.output === "sequence")
    throw new Error('classify: the model must be many-to-one (output "last" or "mean")');
  if (!(Number.isInteger(chunk) && chunk > 0))
    throw new Error(`classify: chunk must be a positive integer (got ${chunk})`);
  const K = m.outputSize;
  const probabilities = new Float32Array(indices.length * K);
  for (let s = 0; s < indices.length; s += chunk) {
    const b = batchOf(indices.slice(s, s + chunk));
    try {
      const out = predict(m, p, b.xs, { mask: b.mask });
      const probs = tf.softmax(out.output!); //                                   [B, K]
      probabilities.set(probs.dataSync(), s * K);
      tf.dispose([out.outputs, out.carry, out.output!, probs] as never);
    } finally {
      tf.dispose([b.xs, b.mask ?? []] as never);
    }
  }
  const labels = Array.from({ length: indices.length }, (_, i) => {
    let best = 0;
    for (let c = 1; c < K; c++)
      if (probabilities[i * K + c] > probabilities[i * K + best]) best = c;
    return best;
  });
  return { labels, probabilities, classes: K };
}
