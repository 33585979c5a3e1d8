/**
 * Registered for every suite (vitest.config.ts `setupFiles`):
 *
 *   expect(actual).toBeAllclose(expected, { rtol, atol })
 *
 * holds when |a − b| ≤ atol + rtol·|b| for every element. Either side may be a tfjs tensor, a
 * typed array, a (nested) number array or a number; shapes must agree when both are tensors.
 * The failure message names the first element that is off and the worst one.
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";

export interface AllcloseOptions {
  rtol?: number;
  atol?: number;
}

type Numbers = tf.Tensor | ArrayLike<number> | number | number[][];

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unused-vars
  interface Assertion<T = any> {
    toBeAllclose(expected: Numbers, options?: AllcloseOptions): void;
  }
}

function flat(x: unknown): { values: ArrayLike<number>; shape: number[] | null } | null {
  if (x instanceof tf.Tensor) return { values: x.dataSync(), shape: x.shape };
  if (typeof x === "number") return { values: [x], shape: null };
  if (ArrayBuffer.isView(x)) return { values: x as unknown as ArrayLike<number>, shape: null };
  if (Array.isArray(x)) return { values: (x as unknown[]).flat(Infinity) as number[], shape: null };
  return null;
}

expect.extend({
  toBeAllclose(received: unknown, expected: unknown, { rtol = 1e-5, atol = 1e-6 } = {}) {
    const a = flat(received);
    const b = flat(expected);
    if (a === null || b === null)
      return {
        pass: false,
        message: () => "toBeAllclose: both sides must be tensors, arrays or numbers",
      };
    if (a.shape && b.shape && a.shape.join() !== b.shape.join())
      return {
        pass: false,
        message: () => `toBeAllclose: shape [${a.shape}] vs [${b.shape}]`,
      };
    if (a.values.length !== b.values.length)
      return {
        pass: false,
        message: () => `toBeAllclose: ${a.values.length} values vs ${b.values.length}`,
      };
    let first = -1;
    let worst = -1;
    let worstExcess = 0;
    for (let i = 0; i < a.values.length; i++) {
      const err = Math.abs(a.values[i] - b.values[i]);
      const excess = err - (atol + rtol * Math.abs(b.values[i]));
      if (excess > 0 || Number.isNaN(err)) {
        if (first < 0) first = i;
        if (Number.isNaN(err) || excess > worstExcess) [worst, worstExcess] = [i, excess];
      }
    }
    const at = (i: number) => `[${i}]: ${a.values[i]} vs ${b.values[i]}`;
    return {
      pass: first < 0,
      message: () =>
        first < 0
          ? `expected values not to be allclose (rtol ${rtol}, atol ${atol})`
          : `not allclose (rtol ${rtol}, atol ${atol}): first ${at(first)}, worst ${at(worst)}`,
    };
  },
});
