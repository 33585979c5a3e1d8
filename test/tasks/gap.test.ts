import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { disposeAll } from "../../src/layer";
import { firstSymbolBatch } from "../../src/tasks/gap";
import { checkLeaks } from "../helpers";

checkLeaks();

describe("firstSymbolBatch", () => {
  it("puts the symbol at step 1 only, noise on the other channels, and the symbol as target", () => {
    const start = tf.memory().numTensors;
    const b = firstSymbolBatch({ T: 5, batch: 3, seed: 1 });
    expect(b.xs).toHaveLength(5);
    const x0 = b.xs[0].arraySync();
    const x3 = b.xs[3].arraySync();
    b.symbols.forEach((d, i) => {
      expect(x0[i].slice(0, 4)).toEqual([0, 1, 2, 3].map((k) => (k === d ? 1 : 0)));
      expect(x3[i].slice(0, 4)).toEqual([0, 0, 0, 0]);
      expect(x3[i].slice(4).every((v) => v >= -1 && v <= 1)).toBe(true);
      expect(b.target.arraySync()[i][d]).toBe(1);
    });
    disposeAll(b.xs, b.target);
    expect(tf.memory().numTensors).toBe(start);
    const [c, d] = [1, 2].map(() => firstSymbolBatch({ T: 3, batch: 2, seed: 7 }));
    expect(c.symbols).toEqual(d.symbols);
    disposeAll(c.xs, c.target, d.xs, d.target);
    expect(() => firstSymbolBatch({ T: 0, batch: 2, seed: 1 })).toThrow(
      "firstSymbolBatch: T must be a positive integer (got 0)",
    );
  });
});
