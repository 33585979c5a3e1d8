/** Small deterministic batches for the parallel suites. */
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../../src/model";
import { rng } from "../../src/init";

const oneHotRows = (ids: number[], V: number) =>
  tf.tidy(() => tf.oneHot(tf.tensor1d(ids, "int32"), V).toFloat() as tf.Tensor2D);

/** Next-symbol batches on random symbols: B rows, T steps, V symbols; masked: ragged lengths. */
export function charBatch(B: number, T: number, V: number, seed: number, masked: boolean): Batch {
  const r = rng(seed + 1);
  const ids = Array.from({ length: T + 1 }, () =>
    Array.from({ length: B }, () => Math.floor(r() * V)),
  );
  const b: Batch = {
    xs: ids.slice(0, T).map((row) => oneHotRows(row, V)),
    targets: ids.slice(1).map((row) => oneHotRows(row, V)),
  };
  if (masked) {
    const len = Array.from({ length: B }, (_, k) => 1 + ((k * 3 + seed) % T));
    b.mask = tf.tensor2d(
      len.flatMap((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0))),
      [B, T],
    );
  }
  return b;
}

/** Many-to-one batches: random inputs of width 5, C classes, ragged lengths (mask). */
export function classBatch(B: number, T: number, C: number, seed: number): Batch {
  const r = rng(seed + 7);
  const xs = Array.from({ length: T }, () =>
    tf.tensor2d(
      Array.from({ length: B * 5 }, () => r() * 2 - 1),
      [B, 5],
    ),
  );
  const len = Array.from({ length: B }, (_, k) => 1 + ((k * 5 + seed) % T));
  const mask = tf.tensor2d(
    len.flatMap((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0))),
    [B, T],
  );
  const target = oneHotRows(
    Array.from({ length: B }, (_, k) => (k + seed) % C),
    C,
  );
  return { xs, target, mask };
}
