import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { oneHot } from "../src/onehot";

describe("oneHot", () => {
  it("gives float32 rows [ids.length, V], equal to tf.oneHot", () => {
    const before = tf.memory().numTensors;
    const x = oneHot([2, 0, 1, 2], 3);
    expect(x.dtype).toBe("float32");
    expect(x.shape).toEqual([4, 3]);
    const ref = tf.tidy(() => tf.oneHot(tf.tensor1d([2, 0, 1, 2], "int32"), 3).toFloat());
    expect(Array.from(x.dataSync())).toEqual(Array.from(ref.dataSync()));
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, ref]);
  });

  it("accepts typed arrays and an empty list", () => {
    expect(oneHot(Int32Array.from([1]), 2).arraySync()).toEqual([[0, 1]]);
    const e = oneHot([], 5);
    expect(e.shape).toEqual([0, 5]);
    e.dispose();
  });

  it("names the bad id and its position", () => {
    const before = tf.memory().numTensors;
    expect(() => oneHot([0, 1, 26], 26)).toThrow("oneHot: ids[2] = 26 is not an integer in 0…25");
    expect(() => oneHot([0, -1], 4)).toThrow("ids[1] = -1");
    expect(() => oneHot([0.5], 4)).toThrow("ids[0] = 0.5");
    expect(() => oneHot([0], 0)).toThrow("oneHot: V must be a positive integer (got 0)");
    expect(tf.memory().numTensors).toBe(before);
  });
});
