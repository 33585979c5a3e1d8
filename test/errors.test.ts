/** Bad input gets a one-line error naming what was expected. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { gru, lstm } from "../src/cells";
import { simpleRNN } from "../src/cells/simple";
import { bidirectional, stack } from "../src/compose";
import { maskFromLengths } from "../src/mask";
import { model } from "../src/model";
import { unroll } from "../src/scan";
import { trainer } from "../src/train";
import { randSeq } from "./gradcheck";
import { checkLeaks } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const layer = unroll(lstm({ inputSize: 3, hiddenSize: 4 }));
const oneLine = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    const msg = (e as Error).message;
    expect(msg).not.toContain("\n");
    return msg;
  }
  return expect.fail("expected an error");
};

describe("bad input", () => {
  it("sequences of the wrong rank, size, dtype, batch or length", () => {
    tf.tidy(() => {
      const p = layer.init(1);
      expect(oneLine(() => layer.forward(p, []))).toBe(
        "lstm: xs must be a non-empty array of [batch, 3] tensors, one per time step",
      );
      expect(oneLine(() => layer.forward(p, [tf.zeros([2, 5, 3]) as unknown as tf.Tensor2D]))).toBe(
        "lstm: xs[0] must be [batch, 3] float32 (got [2, 5, 3] float32)",
      );
      expect(
        oneLine(() => layer.forward(p, [tf.zeros([2, 3]), tf.zeros([2, 4])] as tf.Tensor2D[])),
      ).toBe("lstm: xs[1] must be [2, 3] float32 (got [2, 4] float32)");
      expect(
        oneLine(() => layer.forward(p, [tf.zeros([2, 3]), tf.zeros([1, 3])] as tf.Tensor2D[])),
      ).toBe("lstm: xs[1] must be [2, 3] float32 (got [1, 3] float32)");
      expect(oneLine(() => layer.forward(p, [tf.zeros([2, 3], "int32")] as tf.Tensor2D[]))).toBe(
        "lstm: xs[0] must be [2, 3] float32 (got [2, 3] int32)",
      );
      expect(oneLine(() => layer.forward(p, tf.zeros([2, 3]) as never))).toContain(
        "xs must be a non-empty array",
      );
    });
  });

  it("a carry of the wrong shape or with missing parts", () => {
    tf.tidy(() => {
      const p = layer.init(1);
      const xs = randSeq(3, 2, 3, 1);
      expect(
        oneLine(() => layer.forward(p, xs, { carry: { h: tf.zeros([2, 4]) as tf.Tensor2D } })),
      ).toBe("lstm: carry must have parts {c, h} (got {h})");
      expect(
        oneLine(() =>
          layer.forward(p, xs, { carry: { h: tf.zeros([2, 4]), c: tf.zeros([2, 5]) } as never }),
        ),
      ).toBe("lstm: carry.c must be [2, 4] float32 (got [2, 5] float32)");
    });
  });

  it("missing or misshapen parameters", () => {
    tf.tidy(() => {
      const p = layer.init(1);
      expect(
        oneLine(() => layer.forward({ ...p, Wh: tf.zeros([4, 4]) }, randSeq(2, 2, 3, 1))),
      ).toBe("lstm: parameter Wh must be [4, 16] (got [4, 4] float32)");
    });
  });

  it("masks of the wrong shape or values, and bad lengths", () => {
    tf.tidy(() => {
      const p = layer.init(1);
      const xs = randSeq(4, 2, 3, 1);
      expect(oneLine(() => layer.forward(p, xs, { mask: tf.ones([4, 2]) as tf.Tensor2D }))).toBe(
        "lstm: mask must be [2, 4] (batch, time) of 0 and 1 (got [4, 2])",
      );
      expect(
        oneLine(() => layer.forward(p, xs, { mask: tf.fill([2, 4], 0.5) as tf.Tensor2D })),
      ).toBe("lstm: mask must hold only 0 and 1 (found 0.5 at [0, 0])");
      expect(oneLine(() => maskFromLengths([3, 0], 4))).toBe(
        "maskFromLengths: lengths[1] must be an integer in 1..4 (got 0)",
      );
      expect(oneLine(() => maskFromLengths([5], 4))).toBe(
        "maskFromLengths: lengths[0] must be an integer in 1..4 (got 5)",
      );
    });
  });

  it("gradients of the wrong length or shape, and a non-positive truncation", () => {
    tf.tidy(() => {
      const pass = layer.forward(layer.init(1), randSeq(3, 2, 3, 1));
      expect(oneLine(() => pass.backward([null, null]))).toBe(
        "lstm: dys must have one entry per time step (3), each [2, 4] or null",
      );
      expect(oneLine(() => pass.backward([null, tf.zeros([2, 3]) as tf.Tensor2D, null]))).toBe(
        "lstm: dys[1] must be [2, 4] or null (got [2, 3] float32)",
      );
      expect(oneLine(() => pass.backward([null, null, null], { truncate: 0 }))).toBe(
        "lstm: truncate must be a positive integer number of steps (got 0)",
      );
      pass.dispose();
    });
  });

  it("bad sizes and options for cells and compositions", () => {
    expect(oneLine(() => lstm({ inputSize: 0, hiddenSize: 4 }))).toBe(
      "lstm: inputSize must be a positive integer (got 0)",
    );
    expect(oneLine(() => gru({ inputSize: 3, hiddenSize: 2.5 }))).toBe(
      "gru: hiddenSize must be a positive integer (got 2.5)",
    );
    expect(
      oneLine(() => simpleRNN({ inputSize: 3, hiddenSize: 4, activation: "sigmoid" as never })),
    ).toBe('simpleRNN: activation must be "tanh" or "relu" (got "sigmoid")');
    expect(oneLine(() => bidirectional(layer, layer, { merge: "max" as never }))).toBe(
      'bidirectional: merge must be one of concat, sum, mul, ave (got "max")',
    );
    expect(
      oneLine(() =>
        bidirectional(layer, unroll(gru({ inputSize: 3, hiddenSize: 2 })), { merge: "sum" }),
      ),
    ).toBe('bidirectional: merge "sum" needs equal output sizes (got 4 and 2); use "concat"');
    expect(oneLine(() => stack([layer, layer]))).toBe(
      "stack: layer 1 reads 3 features but layer 0 outputs 4",
    );
  });

  it("bad model, targets and trainer options", () => {
    const m = model({ layer, outputSize: 2 });
    expect(oneLine(() => model({ layer, outputSize: 2, loss: "hinge" as never }))).toBe(
      'loss must be one of softmax, mse (got "hinge")',
    );
    expect(oneLine(() => trainer({ model: m, optimizer: "adamw" as never }))).toBe(
      'trainer: optimizer must be one of adam, rmsprop, sgd, adagrad (got "adamw")',
    );
    expect(oneLine(() => trainer({ model: m, learningRate: -1 }))).toBe(
      "trainer: learningRate must be a positive number (got -1)",
    );
    const tr = trainer({ model: m });
    tf.tidy(() => {
      const xs = randSeq(3, 2, 3, 1);
      expect(oneLine(() => tr.step({ xs, targets: randSeq(2, 2, 2, 2) }))).toBe(
        "model: targets must have one [2, 2] tensor per step (3), got 2",
      );
      expect(oneLine(() => tr.step({ xs }))).toBe(
        "model: targets must be a non-empty array of [batch, 2] tensors, one per time step",
      );
    });
    tr.dispose();
  });
});
