/**
 * Seeded initialisers, computed in JavaScript so the same seed gives the same weights on
 * every backend:
 * - `glorotUniform`: U(−a, a) with a = √(6 / (fanIn + fanOut)) (Glorot & Bengio 2010), for
 *   input weights; the whole stacked-gate matrix [D, k·H] counts as one (as Keras does).
 * - `orthogonal`: each H×H gate block an orthogonal matrix (Saxe et al. 2014), for recurrent
 *   weights, so repeated multiplication neither shrinks nor grows the state at the start.
 */
import * as tf from "@tensorflow/tfjs";

/** mulberry32: a small seeded PRNG with uniform output in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sampler (Box–Muller) on top of {@link rng}. */
export function normal(seed: number): () => number {
  const u = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** A derived seed for parameter `k` of a model seeded with `seed`. */
export function subSeed(seed: number, k: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) + Math.imul(k + 1, 0x85ebca6b)) >>> 0;
}

/** Glorot-uniform matrix [fanIn, fanOut]. */
export function glorotUniform(fanIn: number, fanOut: number, seed: number): tf.Tensor2D {
  const a = Math.sqrt(6 / (fanIn + fanOut));
  const u = rng(seed);
  const v = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < v.length; i++) v[i] = (2 * u() - 1) * a;
  return tf.tensor2d(v, [fanIn, fanOut]);
}

/** An n×n orthogonal matrix (Gram–Schmidt on a seeded Gaussian matrix), row-major. */
function orthogonalBlock(n: number, seed: number): Float64Array {
  const g = normal(seed);
  const q = new Float64Array(n * n);
  for (let i = 0; i < q.length; i++) q[i] = g();
  for (let i = 0; i < n; i++) {
    const row = q.subarray(i * n, (i + 1) * n);
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const prev = q.subarray(j * n, (j + 1) * n);
        let dot = 0;
        for (let k = 0; k < n; k++) dot += row[k] * prev[k];
        for (let k = 0; k < n; k++) row[k] -= dot * prev[k];
      }
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += row[k] * row[k];
    norm = Math.sqrt(norm);
    for (let k = 0; k < n; k++) row[k] /= norm;
  }
  return q;
}

/** [H, blocks·H]: `blocks` orthogonal H×H blocks side by side (one per gate). */
export function orthogonal(h: number, blocks: number, seed: number): tf.Tensor2D {
  const v = new Float32Array(h * blocks * h);
  for (let b = 0; b < blocks; b++) {
    const q = orthogonalBlock(h, subSeed(seed, b));
    for (let i = 0; i < h; i++)
      for (let j = 0; j < h; j++) v[i * blocks * h + b * h + j] = q[i * h + j];
  }
  return tf.tensor2d(v, [h, blocks * h]);
}

/** A bias vector: zeros, with the ranges [start, end) set to `value` (e.g. the LSTM forget gate). */
export function bias(size: number, ranges: [number, number][] = [], value = 1): tf.Tensor1D {
  const v = new Float32Array(size);
  for (const [s, e] of ranges) v.fill(value, s, e);
  return tf.tensor1d(v);
}

/** Shuffles `a` in place with the uniform source `u` (Fisher–Yates) and returns it. */
export function shuffleInPlace<T>(a: T[], u: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
