/**
 * Scalar e^x, σ and tanh for the JavaScript kernel loops (the SIMD kernels have their own, in
 * lstm.wat): twice as fast as Math.exp, relative error < 1e-9 (float32 needs 6e-8).
 *
 *   x = n·ln2/32 + r with |r| ≤ ln2/64:  e^x = e^(n ln2/32) (a table) × e^r (Taylor to r³)
 *
 * x is clamped to ±87 (beyond it float32 results are 0 or saturate the gates anyway).
 */
const STEPS = 32; //                                          table steps per power of 2
const LIMIT = Math.ceil((87 * STEPS) / Math.LN2); //               table index range ±LIMIT
const EXP_TABLE = Float64Array.from({ length: 2 * LIMIT + 1 }, (_, i) =>
  Math.exp(((i - LIMIT) * Math.LN2) / STEPS),
); //                                                             e^(n ln2 / 32), n = −LIMIT … LIMIT
const TO_STEPS = STEPS / Math.LN2;
const STEP = Math.LN2 / STEPS;

/** e^x (see above). */
export function exp(x: number): number {
  x = x > 87 ? 87 : x < -87 ? -87 : x;
  const n = Math.floor(x * TO_STEPS + 0.5);
  const r = x - n * STEP;
  return EXP_TABLE[n + LIMIT] * (1 + r * (1 + r * (1 / 2 + r * (1 / 6))));
}

/** σ(x) = 1 / (1 + e^−x). */
export const sigmoid = (x: number): number => 1 / (1 + exp(-x));

/** tanh(x) = 1 − 2 / (e^2x + 1). */
export const tanh = (x: number): number => 1 - 2 / (exp(2 * x) + 1);
