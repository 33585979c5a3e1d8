/**
 * Gradient clipping.
 *   by global norm:  g ← g · min(1, c / ‖g‖),  ‖g‖ = √(Σ_params Σ g²)   (Pascanu et al. 2013)
 *   by value:        g ← clip(g, −c, c)
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "./cells/cell";

/** √(Σ g²) over every gradient. */
export function globalNorm(grads: Params): number {
  const norm = tf.tidy(() =>
    tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))),
  );
  const value = norm.dataSync()[0];
  norm.dispose();
  return value;
}

function checkLimit(what: string, c: number): void {
  if (!(Number.isFinite(c) && c > 0))
    throw new Error(`${what}: the limit must be a positive number (got ${c})`);
}

/** Scales all gradients together so their global norm is at most `maxNorm`. Returns new tensors and the norm before clipping. */
export function clipByGlobalNorm(grads: Params, maxNorm: number): { grads: Params; norm: number } {
  checkLimit("clipByGlobalNorm", maxNorm);
  const norm = globalNorm(grads);
  const scale = norm > maxNorm ? maxNorm / norm : 1;
  return {
    grads: tf.tidy(() =>
      Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])),
    ),
    norm,
  };
}

/** Clips every gradient element to [−maxValue, maxValue]. Returns new tensors. */
export function clipByValue(grads: Params, maxValue: number): Params {
  checkLimit("clipByValue", maxValue);
  return tf.tidy(() =>
    Object.fromEntries(
      Object.entries(grads).map(([k, g]) => [k, tf.clipByValue(g, -maxValue, maxValue)]),
    ),
  );
}
