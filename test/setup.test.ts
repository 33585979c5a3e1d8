/** The toBeAllclose matcher (test/setup.ts) itself: it passes and fails where it should. */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { checkLeaks } from "./helpers";

checkLeaks();

describe("toBeAllclose", () => {
  it("accepts tensors, typed arrays, nested arrays and numbers on either side", () => {
    const t = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    expect(t).toBeAllclose([
      [1, 2],
      [3, 4 + 1e-7],
    ]);
    expect(Float32Array.from([1, 2, 3, 4])).toBeAllclose(t);
    expect(0.1 + 0.2).toBeAllclose(0.3, { atol: 1e-12, rtol: 0 });
    t.dispose();
  });

  it("fails outside atol + rtol·|b|, on NaN, on a length or shape mismatch", () => {
    expect(() => expect([1, 2]).toBeAllclose([1, 2.1], { rtol: 0, atol: 0.05 })).toThrow(
      /first \[1\]: 2 vs 2.1/,
    );
    expect(() => expect([NaN]).toBeAllclose([0])).toThrow(/not allclose/);
    expect(() => expect([1, 2]).toBeAllclose([1, 2, 3])).toThrow(/2 values vs 3/);
    const [a, b] = [tf.zeros([2, 3]), tf.zeros([3, 2])];
    expect(() => expect(a).toBeAllclose(b)).toThrow(/shape \[2,3\] vs \[3,2\]/);
    expect([1, 2]).not.toBeAllclose([1, 3]);
    tf.dispose([a, b]);
  });
});
