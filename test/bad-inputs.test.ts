/**
 * The bad inputs of issue 14, one row each: every one is a one-line error that names what was
 * wrong, no tensor is left behind (checkLeaks), and tfjs works afterwards. Bad checkpoint
 * manifests have their own table in checkpoint.test.ts; loaders and series in test/series and
 * data.test.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { lstm, gru, simpleRNN } from "../src/cells";
import { disposeAll } from "../src/layer";
import { maskFromLengths } from "../src/mask";
import { initModel, lossAndGrads, model, predict } from "../src/model";
import { oneHot } from "../src/onehot";
import { unroll } from "../src/scan";
import { sample } from "../src/text/sample";
import { vocabulary } from "../src/text/vocab";
import { Trainer, trainer, trainTruncated } from "../src/train";
import { checkLeaks } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const D = 4;
const V = 3;
const soft = model({ layer: unroll(lstm({ inputSize: D, hiddenSize: 5 })), outputSize: V });
const mse = model({
  layer: unroll(gru({ inputSize: D, hiddenSize: 5 })),
  outputSize: 2,
  loss: "mse",
});
const last = model({
  layer: unroll(simpleRNN({ inputSize: D, hiddenSize: 5 })),
  outputSize: V,
  output: "last",
});
/** T steps of [B, D] inputs with a planted value, and one-hot targets of class (t + b) % V. */
const xsWith = (T: number, B: number, at?: [number, number, number, number]) =>
  Array.from({ length: T }, (_, t) => {
    const x = tf.buffer([B, D], "float32");
    for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) x.set(Math.sin(t + b + d), b, d);
    if (at && at[0] === t) x.set(at[3], at[1], at[2]);
    return x.toTensor() as tf.Tensor2D;
  });
const classes = (T: number, B: number, scale = 1) =>
  Array.from(
    { length: T },
    (_, t) =>
      tf.tidy(() =>
        tf.mul(
          oneHot(
            Array.from({ length: B }, (_, b) => (t + b) % V),
            V,
          ),
          scale,
        ),
      ) as tf.Tensor2D,
  );
/** Runs `f` on fresh parameters of `m`, freeing everything it made (tensors made by `f` included). */
const withParams = (m: typeof soft, f: (p: ReturnType<typeof initModel>) => unknown) => () => {
  const p = initModel(m, 1);
  try {
    tf.tidy(() => {
      f(p);
    });
  } finally {
    disposeAll(p);
  }
};
const withTrainer = (o: object, f: (tr: Trainer) => unknown) => () => {
  const tr = trainer({ model: soft, seed: 1, ...o });
  try {
    tf.tidy(() => {
      f(tr);
    });
  } finally {
    tr.dispose();
  }
};
const vocab = vocabulary("abc");
const chars = model({ layer: unroll(lstm({ inputSize: V, hiddenSize: 5 })), outputSize: V });

const rows: [string, () => unknown, string][] = [
  [
    "a batch of 0 rows",
    withParams(soft, (p) => predict(soft, p, [tf.zeros([0, D]) as tf.Tensor2D])),
    "predict: xs[0] has a batch of 0 rows; a batch needs at least one sequence",
  ],
  [
    "NaN in the inputs",
    withParams(soft, (p) =>
      lossAndGrads(soft, p, { xs: xsWith(4, 2, [2, 1, 3, NaN]), targets: classes(4, 2) }),
    ),
    "model: xs[2] has NaN at row 1, column 3; the data is bad (not the training): clean it, or leave that sequence out",
  ],
  [
    "Infinity in the targets of a regression",
    withParams(mse, (p) => {
      const ys = xsWith(3, 2, [1, 0, 1, -Infinity]).map((y) => y.slice([0, 0], [2, 2]));
      lossAndGrads(mse, p, { xs: xsWith(3, 2), targets: ys as tf.Tensor2D[] });
    }),
    "model: targets[1] has -Infinity at row 0, column 1; the data is bad (not the training): clean it, or leave that sequence out",
  ],
  [
    "NaN in the target of a many-to-one model",
    withParams(last, (p) =>
      lossAndGrads(last, p, { xs: xsWith(3, 2), target: tf.fill([2, V], NaN) as tf.Tensor2D }),
    ),
    "model: target has NaN at row 0, column 0; the data is bad (not the training): clean it, or leave that sequence out",
  ],
  [
    "NaN in the inputs of a prediction",
    withParams(soft, (p) => predict(soft, p, xsWith(2, 1, [1, 0, 0, NaN]))),
    "predict: xs[1] has NaN at row 0, column 0; the data is bad (not the training): clean it, or leave that sequence out",
  ],
  [
    "softmax targets that are −one-hot",
    withParams(soft, (p) =>
      lossAndGrads(soft, p, { xs: xsWith(3, 2), targets: classes(3, 2, -1) }),
    ),
    "model: targets[0] row 0 is not one-hot (sum -1, smallest -1); softmax targets must be ≥ 0 and sum to 1 (rnn.oneHot(ids, V) makes them)",
  ],
  [
    "softmax targets that are 5 · one-hot",
    withParams(soft, (p) => lossAndGrads(soft, p, { xs: xsWith(3, 2), targets: classes(3, 2, 5) })),
    "model: targets[0] row 0 is not one-hot (sum 5, smallest 0); softmax targets must be ≥ 0 and sum to 1 (rnn.oneHot(ids, V) makes them)",
  ],
  [
    "softmax targets that are all zeros",
    withParams(soft, (p) => lossAndGrads(soft, p, { xs: xsWith(3, 2), targets: classes(3, 2, 0) })),
    "model: targets[0] row 0 is not one-hot (sum 0, smallest 0); softmax targets must be ≥ 0 and sum to 1 (rnn.oneHot(ids, V) makes them)",
  ],
  [
    "a many-to-one target that is not one-hot",
    withParams(last, (p) =>
      lossAndGrads(last, p, { xs: xsWith(3, 2), target: tf.ones([2, V]) as tf.Tensor2D }),
    ),
    "model: target row 0 is not one-hot (sum 3, smallest 1); softmax targets must be ≥ 0 and sum to 1 (rnn.oneHot(ids, V) makes them)",
  ],
  [
    "an all-zero mask on a sequence model",
    withParams(soft, (p) =>
      lossAndGrads(soft, p, {
        xs: xsWith(3, 2),
        targets: classes(3, 2),
        mask: tf.zeros([2, 3]) as tf.Tensor2D,
      }),
    ),
    "model: the mask has no real step (all zeros), so the loss would be 0/0; leave this batch out",
  ],
  [
    "a mask row without a real step on a many-to-one model",
    withParams(last, (p) =>
      lossAndGrads(last, p, {
        xs: xsWith(3, 2),
        target: oneHot([0, 1], V),
        mask: tf.tensor2d([1, 1, 0, 0, 0, 0], [2, 3]),
      }),
    ),
    "model: mask row 1 has no real step; every sequence needs at least one",
  ],
  [
    "sampling from NaN parameters",
    withParams(chars, (p) => {
      (p["head.by"] as tf.Tensor).dispose();
      p["head.by"] = tf.fill([V], NaN);
      sample(chars, p, vocab, { prefix: "ab", length: 5 });
    }),
    "sample: the model's output 0 is NaN: its parameters are not finite (a diverged run, or a checkpoint loaded with allowNonFinite)",
  ],
  [
    "sampling at temperature 0",
    withParams(chars, (p) => sample(chars, p, vocab, { prefix: "ab", length: 5, temperature: 0 })),
    "sample: temperature must be a finite positive number (got 0); use greedy: true for τ → 0",
  ],
  [
    "sampling with topK 1.5",
    withParams(chars, (p) => sample(chars, p, vocab, { prefix: "ab", length: 5, topK: 1.5 })),
    "sample: topK must be a positive integer (got 1.5)",
  ],
  [
    "clipNorm Infinity",
    () => trainer({ model: soft, clipNorm: Infinity }),
    "trainer: clipNorm must be a finite positive number (got Infinity)",
  ],
  [
    "clipNorm −1",
    () => trainer({ model: soft, clipNorm: -1 }),
    "trainer: clipNorm must be a finite positive number (got -1)",
  ],
  [
    "clipValue NaN",
    () => trainer({ model: soft, clipValue: NaN }),
    "trainer: clipValue must be a finite positive number (got NaN)",
  ],
  [
    "maxLossRatio 1",
    () => trainer({ model: soft, maxLossRatio: 1 }),
    "trainer: maxLossRatio must be above 1 (got 1); char-rnn uses 3",
  ],
  [
    "a learning rate of 0",
    () => trainer({ model: soft, learningRate: 0 }),
    "trainer: learningRate must be a positive number (got 0)",
  ],
  [
    "optimizer state of another model",
    () => {
      const m = tf.zeros([1, 1]);
      try {
        trainer({ model: soft, optimizerState: { iterations: 2, slots: { "Wx/m": m } } });
      } finally {
        m.dispose();
      }
    },
    "optimizer state: Wx/m must be a [4, 20] tensor (got [1, 1]); was it saved from another model?",
  ],
  [
    "a stateful batch that shrinks",
    withTrainer({ stateful: true }, (tr) => {
      tr.step({ xs: xsWith(3, 2), targets: classes(3, 2) });
      tr.step({ xs: xsWith(3, 1), targets: classes(3, 1) });
    }),
    "trainer: the carried state is for a batch of 2 rows but this batch has 1; call trainer.resetState() before a batch of another size",
  ],
  [
    "trainTruncated over no steps",
    withTrainer({}, (tr) => trainTruncated(tr, { xs: [], targets: [] }, { k1: 2 })),
    "trainTruncated: batch.xs must be a non-empty array of steps",
  ],
  [
    "lstm() without options",
    () => (lstm as (o?: unknown) => unknown)(),
    "lstm: needs an options object with inputSize and hiddenSize, e.g. lstm({ inputSize: 65, hiddenSize: 128 })",
  ],
  [
    "a hidden size whose weights cannot fit (it used to abort the wasm runtime)",
    () => simpleRNN({ inputSize: 1, hiddenSize: 1e9 }),
    "simpleRNN: inputSize 1 and hiddenSize 1000000000 need a [1000000001, 4000000000] weight of 4.00e+18 floats; at most 2^28 fit in one tensor",
  ],
  [
    "an output size whose head cannot fit",
    () => model({ layer: soft.layer, outputSize: 2 ** 28 }),
    "model: outputSize 268435456 and a layer output of 5 need a [5, 268435456] weight of 1.34e+9 floats; at most 2^28 fit in one tensor",
  ],
  [
    "a length longer than T",
    () => maskFromLengths([2, 5], 4),
    "maskFromLengths: lengths[1] must be an integer in 1..4 (got 5)",
  ],
];

describe("bad inputs (issue 14)", () => {
  it.each(rows)("%s", (_, run, message) => {
    let thrown: unknown;
    try {
      run();
    } catch (e) {
      thrown = e;
    }
    expect(thrown, "expected an error").toBeInstanceOf(Error);
    expect((thrown as Error).constructor).toBe(Error); //        not a TypeError or RangeError
    expect((thrown as Error).message).toBe(message);
    const y = tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2]))); // tfjs still works
    expect(y).toBeAllclose([2, 2, 2, 2]);
    y.dispose();
  });

  it("what passes: soft labels, zero targets on padded steps, a row fully padded", () => {
    const p = initModel(soft, 1);
    tf.tidy(() => {
      const smooth = classes(3, 2).map((y) => tf.add(tf.mul(y, 0.9), 0.1 / V) as tf.Tensor2D);
      expect(
        Number.isFinite(lossAndGrads(soft, p, { xs: xsWith(3, 2), targets: smooth }).loss),
      ).toBe(true);
      const padded = classes(3, 2).map((y, t) => (t === 2 ? (tf.zerosLike(y) as tf.Tensor2D) : y));
      const mask = maskFromLengths([2, 2], 3);
      const r = lossAndGrads(soft, p, { xs: xsWith(3, 2), targets: padded, mask });
      expect(Number.isFinite(r.loss)).toBe(true);
      disposeAll(r);
      const oneRow = tf.tensor2d([1, 1, 1, 0, 0, 0], [2, 3]);
      const r2 = lossAndGrads(soft, p, { xs: xsWith(3, 2), targets: classes(3, 2), mask: oneRow });
      expect(Number.isFinite(r2.loss)).toBe(true);
      disposeAll(r2);
    });
    disposeAll(p);
  });
});
