/**
 * The operations a cell's equations are written in, and tfjs running them eagerly.
 *
 * A cell (src/cells/) computes its step and its backward step through an `Ops<T>` it is given,
 * never through tfjs directly, so any engine that implements these few operations runs the
 * same equations: tfjs eagerly (`tfOps`, what the scan uses), a graph builder tracing them
 * (the native engine), a test's shape tracer. Shapes: rows are the batch, [B, n]; a vector
 * [n] (a bias) added to a matrix is added to every row.
 */
import * as tf from "@tensorflow/tfjs";

export interface Ops<T> {
  /** a b   [B, k] × [k, n] → [B, n] */
  matMul(a: T, b: T): T;
  /** a + b   (b [n] is added to every row) */
  add(a: T, b: T): T;
  /** a − b */
  sub(a: T, b: T): T;
  /** a ⊙ b   (b [n] multiplies every row) */
  mul(a: T, b: T): T;
  /** 1 − a */
  oneMinus(a: T): T;
  /** a ⊙ a */
  square(a: T): T;
  /** σ(a) = 1 / (1 + e^−a) */
  sigmoid(a: T): T;
  tanh(a: T): T;
  /** max(a, 0) */
  relu(a: T): T;
  /** [a > 0]: 1 where a > 0, else 0 (relu′) */
  step(a: T): T;
  /** n equal blocks of columns: [B, n·H] → n × [B, H] */
  split(a: T, n: number): T[];
  /** blocks side by side: k × [B, H_k] → [B, Σ H_k] */
  concat(parts: T[]): T;
  /** Σ over the rows (the batch): [B, n] → [n] */
  sumRows(a: T): T;
}

/** d ⊙ σ′(a) written with the gate's output s = σ(a):  d ⊙ s ⊙ (1 − s). */
export const dSigmoid = <T>(o: Ops<T>, d: T, s: T): T => o.mul(d, o.mul(s, o.oneMinus(s)));

/** d ⊙ tanh′(a) written with y = tanh(a):  d ⊙ (1 − y²). */
export const dTanh = <T>(o: Ops<T>, d: T, y: T): T => o.mul(d, o.oneMinus(o.square(y)));

type Tensor = tf.Tensor;

/** The operations on tfjs tensors, run eagerly (inside the caller's tf.tidy). */
export const tfOps: Ops<Tensor> = {
  matMul: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  oneMinus: (a) => tf.sub(1, a),
  square: (a) => tf.square(a),
  sigmoid: (a) => tf.sigmoid(a),
  tanh: (a) => tf.tanh(a),
  relu: (a) => tf.relu(a),
  step: (a) => tf.step(a),
  split: (a, n) => tf.split(a, n, 1),
  concat: (parts) => tf.concat(parts, 1),
  sumRows: (a) => tf.sum(a, 0),
};
