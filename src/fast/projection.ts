/**
 * The input side of every step at once (the fast scan, stepper.ts):
 *
 *   Zx = X W + b       X [N, D] (N = T·B rows, step t in rows t·B … t·B + B − 1), W [D, G]
 *   dW = Xᵀ dZx,  db = Σ_rows dZx,  dX = dZx Wᵀ
 *
 * A one-hot X (characters, tokens: each row one 1, the rest 0) makes the product a row gather,
 * Zx[r] = W[id_r] + b, and its gradient a scatter-add, dW[id_r] += dZx[r]: O(N·G) work instead
 * of O(N·D·G). The result is the same (x W adds exact zeros); only the summation order of dW
 * differs.
 */
import * as tf from "@tensorflow/tfjs";
import { fused, simd } from "./registry";

/** Zx[r] = W[id_r] + b: the rows of W + b, copied (a row copy is a memcpy; a JS loop is not). */
const gatherRows = fused<"W" | "b" | "ids">(
  "rnnwb.GatherRows",
  ({ ins: { W, b, ids }, outs: [Zx] }) => {
    const G = b.length;
    const Wb = new Float32Array(W.length); //                               W + b   [D, G]
    for (let from = 0; from < W.length; from += G)
      for (let j = 0; j < G; j++) Wb[from + j] = W[from + j] + b[j];
    for (let r = 0; r < ids.length; r++) Zx.set(Wb.subarray(ids[r] * G, (ids[r] + 1) * G), r * G);
  },
);

/** dW[id_r] += dZx[r], then db = Σ_id dW[id] (= Σ_rows dZx): projection.wat. */
const scatterRows = simd<"dZx" | "ids">(
  "rnnwb.ScatterRows",
  "projection",
  "scatter_rows",
  ({ dZx, ids }, [dW, db], { N, D, G }) => [dZx, ids, dW, db, N, D, G],
);

/** The column of the 1 in each row of a one-hot [N, D] matrix, or null if X is not one-hot. */
export function oneHotIds(X: tf.Tensor2D): Float32Array | null {
  const [N, D] = X.shape;
  const v = X.dataSync();
  const ids = new Float32Array(N);
  for (let r = 0; r < N; r++) {
    let id = -1;
    for (let j = 0; j < D; j++) {
      const x = v[r * D + j];
      if (x === 1 && id < 0) id = j;
      else if (x !== 0) return null;
    }
    if (id < 0) return null;
    ids[r] = id;
  }
  return ids;
}

export interface Projection {
  /** X W + b  [N, G]. */
  Zx: tf.Tensor2D;
  /** Whether X was one-hot (gather and scatter-add instead of matMuls). */
  oneHot: boolean;
  /** dW = Xᵀ dZx and db = Σ_rows dZx. */
  grads(dZx: tf.Tensor2D): { dW: tf.Tensor2D; db: tf.Tensor1D };
  /** Frees what the projection holds (not Zx's consumers' tensors). */
  dispose(): void;
}

/** Zx = X W + b for all rows, and its gradient rule; X is the steps' inputs stacked. */
export function project(xs: tf.Tensor2D[], W: tf.Tensor2D, b: tf.Tensor1D): Projection {
  const X = tf.concat(xs, 0) as tf.Tensor2D; //                                   [N, D]
  const found = oneHotIds(X);
  if (found !== null) {
    X.dispose();
    const ids = tf.tensor1d(found);
    const [D, G] = W.shape;
    return {
      Zx: gatherRows({ W, b, ids }, [[ids.size, G]])[0] as tf.Tensor2D,
      oneHot: true,
      grads: (dZx) => {
        const [dW, db] = scatterRows({ dZx, ids }, [[D, G], [G]], { N: ids.size, D, G });
        return { dW: dW as tf.Tensor2D, db: db as tf.Tensor1D };
      },
      dispose: () => ids.dispose(),
    };
  }
  return {
    Zx: tf.tidy(() => tf.add(tf.matMul(X, W), b)) as tf.Tensor2D,
    oneHot: false,
    grads: (dZx) =>
      tf.tidy(() => ({
        dW: tf.matMul(tf.transpose(X), dZx) as tf.Tensor2D,
        db: tf.sum(dZx, 0) as tf.Tensor1D,
      })),
    dispose: () => X.dispose(),
  };
}
