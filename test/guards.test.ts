/** Guards at the door (issue 14): a batch of 0 rows, a cell factory without options. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { CELLS as LIBRARY, gru, lstm, mgu, simpleRNN } from "../src/cells";
import { disposeAll } from "../src/layer";
import { initModel, lossAndGrads, model, predict } from "../src/model";
import { unroll } from "../src/scan";
import { checkLeaks } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

describe.each(Object.keys(LIBRARY))("%s", (name) => {
  it("a batch of 0 rows is a one-line error, and tfjs works after it", () => {
    const m = model({
      layer: unroll(LIBRARY[name]({ inputSize: 4, hiddenSize: 8 })),
      outputSize: 3,
    });
    const p = initModel(m, 1);
    const empty = [tf.zeros([0, 4]) as tf.Tensor2D];
    const message = "predict: xs[0] has a batch of 0 rows; a batch needs at least one sequence";
    expect(() => predict(m, p, empty)).toThrow(message);
    expect(() => m.layer.forward(p, empty)).toThrow(`${name}: xs[0] has a batch of 0 rows`);
    const targets = [tf.zeros([0, 3]) as tf.Tensor2D];
    expect(() => lossAndGrads(m, p, { xs: empty, targets })).toThrow(/batch of 0 rows/);
    const x = tf.ones([2, 2]);
    const y = tf.matMul(x, x); //                                      the heap is intact
    expect(y).toBeAllclose([2, 2, 2, 2]);
    disposeAll(p, empty, targets, x, y);
  });
});

describe("cell factories without options", () => {
  it.each(Object.entries({ simpleRNN, lstm, gru, mgu }))("%s() names what it needs", (what, f) => {
    expect(() => (f as (o?: unknown) => unknown)()).toThrow(
      `${what}: needs an options object with inputSize and hiddenSize, e.g. ${what}({ inputSize: 65, hiddenSize: 128 })`,
    );
  });
});
