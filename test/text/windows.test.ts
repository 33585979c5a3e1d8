/** randomWindows (stateless text batches) and textLoss (held-out loss with the carry passed). */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { disposeAll } from "../../src/layer";
import { initModel, predict } from "../../src/model";
import { softmaxCrossEntropy } from "../../src/loss";
import { randomWindows } from "../../src/text/batches";
import { textLoss } from "../../src/text/evaluate";
import { charModel } from "../../src/text/charmodel";
import { checkLeaks } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const ids = Array.from({ length: 300 }, (_, i) => (i * 7 + (i >> 3)) % 5);
const argmax = (t: tf.Tensor2D) => tf.tidy(() => Array.from(t.argMax(1).dataSync()));

describe("randomWindows", () => {
  it("draws windows inside [start, end) whose targets are the next characters, seeded", () => {
    const b = randomWindows(ids, 5, { rows: 6, steps: 4, seed: 3, start: 100, end: 200 });
    const again = randomWindows(ids, 5, { rows: 6, steps: 4, seed: 3, start: 100, end: 200 });
    expect(b.xs.length).toBe(4);
    for (let j = 0; j < 3; j++) expect(argmax(b.targets[j])).toEqual(argmax(b.xs[j + 1]));
    for (let j = 0; j < 4; j++) expect(argmax(again.xs[j])).toEqual(argmax(b.xs[j]));
    disposeAll(b, again);
  });
  it("refuses a text shorter than one window", () => {
    expect(() => randomWindows(ids, 5, { rows: 2, steps: 10, seed: 0, start: 0, end: 8 })).toThrow(
      "randomWindows: the text [0, 8) is shorter than one window of 10 + 1 characters",
    );
  });
});

describe("textLoss", () => {
  it("is the mean cross-entropy of one pass over the streams, carry passed between chunks", () => {
    const m = charModel({ cell: "gru", hiddenSize: 6, layers: 1, vocabSize: 5 });
    const p = initModel(m, 2);
    // 2 streams of the text [0, 41): 20 inputs each; in chunks of 5 or in one chunk of 20
    const chunked = textLoss(m, p, ids.slice(0, 41), 5, { start: 0, streams: 2, steps: 5 });
    const whole = textLoss(m, p, ids.slice(0, 41), 5, { start: 0, streams: 2, steps: 20 });
    expect(chunked).toBeAllclose(whole, { rtol: 1e-5 });
    // by hand: stream b reads ids[20b … 20b + 19] and predicts the next of each
    const oh = (t: number) =>
      tf.tidy(() => tf.oneHot(tf.tensor1d([ids[t], ids[20 + t]], "int32"), 5).toFloat());
    const xs = Array.from({ length: 20 }, (_, t) => oh(t) as tf.Tensor2D);
    const ys = Array.from({ length: 20 }, (_, t) => oh(t + 1) as tf.Tensor2D);
    const o = predict(m, p, xs);
    const sum = o.outputs.reduce((a, z, t) => {
      const l = softmaxCrossEntropy(z, ys[t]);
      const s = a + tf.tidy(() => tf.sum(l.losses).dataSync()[0]);
      disposeAll(l);
      return s;
    }, 0);
    expect(whole).toBeAllclose(sum / 40, { rtol: 1e-5 });
    disposeAll(p, xs, ys, o);
  });
});
