/**
 * Many-to-one heads over masked sequences (src/model.ts): the last real step and the mean over
 * real steps, softmax loss per sequence, optional class weights; against autodiff of the
 * same loss written directly, and padded steps that change nothing.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { lstm } from "../src/cells";
import { bidirectional } from "../src/compose";
import { maskFromLengths } from "../src/mask";
import { initModel, lossAndGrads, model, OutputMode, predict } from "../src/model";
import { Params } from "../src/layer";
import { unroll } from "../src/scan";
import { randSeq } from "./gradcheck";
import { checkLeaks, relError } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const [T, B, D, H, O] = [6, 4, 3, 5, 3];
const lengths = [6, 1, 3, 4];
const labels = [0, 2, 1, 2];
const weights = [1, 2.5, 0.5];
const layer = () =>
  bidirectional(
    unroll(lstm({ inputSize: D, hiddenSize: H })),
    unroll(lstm({ inputSize: D, hiddenSize: H })),
  );
const oneHotRows = (ids: number[], V: number) =>
  tf.tidy(() => tf.oneHot(tf.tensor1d(ids, "int32"), V).toFloat() as tf.Tensor2D);

/** The loss written out: pool y over real steps, softmax cross-entropy, weighted mean. */
function directLoss(mode: OutputMode, cw: number[] | undefined) {
  return (m: ReturnType<typeof model>, p: Params, xs: tf.Tensor2D[], y: tf.Tensor2D) => {
    const pass = m.layer.forward(p, xs, { mask: maskFromLengths(lengths, T) });
    const rows = lengths.map((n, b) => {
      const ys = pass.ys.slice(0, n).map((yt) => tf.slice(yt, [b, 0], [1, -1]));
      return mode === "last" ? ys[n - 1] : tf.div(tf.addN(ys), n);
    });
    const pooled = tf.concat(rows, 0);
    const z = tf.add(tf.matMul(pooled, p["head.Why"]), p["head.by"]);
    const nll = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(z)), 1)); //                      [B]
    const w = cw ? tf.reshape(tf.matMul(y, tf.tensor2d(cw, [O, 1])), [-1]) : tf.onesLike(nll);
    return tf.div(tf.sum(tf.mul(nll, w)), tf.sum(w)) as tf.Scalar;
  };
}

describe.each([
  ["last", undefined],
  ["mean", undefined],
  ["last", weights],
  ["mean", weights],
] as [OutputMode, number[] | undefined][])("output %s, class weights %o", (mode, cw) => {
  it("loss and gradients = autodiff of the loss written out (≤ 1e-4)", () => {
    const m = model({ layer: layer(), outputSize: O, output: mode, classWeights: cw });
    const p = initModel(m, 3);
    const xs = randSeq(T, B, D, 4);
    const target = oneHotRows(labels, O);
    const mask = maskFromLengths(lengths, T);
    const ours = lossAndGrads(m, p, { xs, target, mask });
    const keys = Object.keys(p);
    const loss = directLoss(mode, cw);
    const ref = tf.tidy(() => {
      const f = (...v: tf.Tensor[]) =>
        loss(m, Object.fromEntries(keys.map((k, i) => [k, v[i]])), xs, target);
      const { value, grads } = tf.valueAndGrads(f)(keys.map((k) => p[k]));
      return { value: value.dataSync()[0], grads: grads.map((g) => tf.keep(g)) };
    });
    expect(ours.loss).toBeCloseTo(ref.value, 5);
    keys.forEach((k, i) =>
      expect(relError(ours.grads[k].dataSync(), ref.grads[i].dataSync()), k).toBeLessThanOrEqual(
        1e-4,
      ),
    );
    tf.dispose([p, xs, target, mask, ours.grads, ours.carry, ref.grads] as never);
  });
});

describe("many-to-one heads", () => {
  it.each(["last", "mean"] as OutputMode[])("%s: values at padded steps change nothing", (mode) => {
    const m = model({ layer: layer(), outputSize: O, output: mode });
    const p = initModel(m, 5);
    const xs = randSeq(T, B, D, 6);
    const noisy = xs.map((x, t) =>
      tf.tidy(() => {
        const pad = tf.tensor2d(lengths.map((n) => [t >= n ? 1 : 0]));
        return tf.add(x, tf.mul(pad, tf.randomNormal(x.shape, 0, 5, "float32", 8))) as tf.Tensor2D;
      }),
    );
    const target = oneHotRows(labels, O);
    const mask = maskFromLengths(lengths, T);
    const a = lossAndGrads(m, p, { xs, target, mask });
    const b = lossAndGrads(m, p, { xs: noisy, target, mask });
    expect(a.loss).toBeCloseTo(b.loss, 6);
    for (const k of Object.keys(a.grads))
      expect(a.grads[k], k).toBeAllclose(b.grads[k], { rtol: 1e-5, atol: 1e-7 });
    const pa = predict(m, p, xs, { mask });
    const pb = predict(m, p, noisy, { mask });
    expect(pa.output!).toBeAllclose(pb.output!, { rtol: 1e-5, atol: 1e-7 });
    tf.dispose([p, xs, noisy, target, mask, a.grads, a.carry, b.grads, b.carry] as never);
    tf.dispose([pa.outputs, pa.carry, pa.output!, pb.outputs, pb.carry, pb.output!] as never);
  });

  it("predict's pooled output is the head that training scored", () => {
    const m = model({ layer: layer(), outputSize: O, output: "mean" });
    const p = initModel(m, 7);
    const xs = randSeq(T, B, D, 8);
    const mask = maskFromLengths(lengths, T);
    const out = predict(m, p, xs, { mask });
    const direct = tf.tidy(() => {
      const target = oneHotRows(labels, O);
      return directLoss("mean", undefined)(m, p, xs, target).dataSync()[0];
    });
    const fromPredict = tf.tidy(() => {
      const target = oneHotRows(labels, O);
      return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(out.output!)), 1))).dataSync()[0];
    });
    expect(fromPredict).toBeCloseTo(direct, 5);
    tf.dispose([p, xs, mask, out.outputs, out.carry, out.output!] as never);
  });

  it.each([
    [{ classWeights: [1, 2] }, "model: classWeights must be an array of 3 numbers, one per class"],
    [
      { classWeights: [1, 0, 2] },
      "model: classWeights[1] must be a finite positive number (got 0)",
    ],
    [
      { classWeights: [1, 1, 1], loss: "mse" },
      'model: classWeights apply to the softmax loss only (loss is "mse")',
    ],
    [{ output: "max" }, 'model: output must be "sequence", "last" or "mean" (got "max")'],
  ])("refuses %o in one line", (o, message) => {
    expect(() => model({ layer: layer(), outputSize: O, ...(o as object) })).toThrow(message);
  });

  it("a row with no real step is refused for mean pooling", () => {
    const m = model({ layer: layer(), outputSize: O, output: "mean" });
    const p = initModel(m, 1);
    const xs = randSeq(2, 2, D, 2);
    const target = oneHotRows([0, 1], O);
    const mask = tf.tensor2d([
      [1, 1],
      [0, 0],
    ]);
    expect(() => lossAndGrads(m, p, { xs, target, mask })).toThrow(
      "model: mask row 1 has no real step; every sequence needs at least one",
    );
    tf.dispose([p, xs, target, mask] as never);
  });
});
