/**
 * No leaks: tf.memory().numTensors is back where it started after every training step, over
 * 100 steps, for each cell of the catalog (src/cells/index.ts), bidirectional, stacked, masked
 * and truncated training. The first step is a warm-up: the optimizer creates its slot variables
 * (Adam's moments) then, once.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { CELLS, gru, lstm } from "../src/cells";
import { bidirectional, stack } from "../src/compose";
import { disposeAll, Layer } from "../src/layer";
import { maskFromLengths } from "../src/mask";
import { Batch, model } from "../src/model";
import { unroll } from "../src/scan";
import { trainer, trainTruncated } from "../src/train";
import { randSeq } from "./gradcheck";
import { checkLeaks } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const [T, B, D, H, V] = [6, 3, 4, 5, 4];
const targets = () =>
  Array.from({ length: T }, (_, t) =>
    tf.tidy(
      () =>
        tf
          .oneHot(tf.tensor1d([t % V, (t + 1) % V, (t + 2) % V], "int32"), V)
          .toFloat() as tf.Tensor2D,
    ),
  );

/** Every cell of the catalog (a new one is leak-checked with no edit here), then compositions. */
const layers: Record<string, () => Layer> = {
  ...Object.fromEntries(
    Object.entries(CELLS).map(([name, make]) => [
      name,
      () => unroll(make({ inputSize: D, hiddenSize: H })),
    ]),
  ),
  "bidirectional lstm (concat)": () =>
    bidirectional(
      unroll(lstm({ inputSize: D, hiddenSize: H })),
      unroll(lstm({ inputSize: D, hiddenSize: H })),
    ),
  "bidirectional gru (mul)": () =>
    bidirectional(
      unroll(gru({ inputSize: D, hiddenSize: H })),
      unroll(gru({ inputSize: D, hiddenSize: H })),
      { merge: "mul" },
    ),
  "stacked lstm / gru": () =>
    stack([
      unroll(lstm({ inputSize: D, hiddenSize: H })),
      unroll(gru({ inputSize: H, hiddenSize: H })),
    ]),
};

function expectNoLeak(steps: number, run: () => void) {
  run(); // warm-up: optimizer slots
  const start = tf.memory().numTensors;
  for (let i = 0; i < steps; i++) {
    run();
    const now = tf.memory().numTensors;
    if (now !== start) expect.fail(`step ${i + 2}: ${now} tensors, started with ${start}`);
  }
}

describe.each(Object.entries(layers))("%s", (_n, make) => {
  it("training steps free every tensor (100 steps, plain, masked, stateful)", () => {
    const batch: Batch = { xs: randSeq(T, B, D, 1), targets: targets() };
    const mask = maskFromLengths([6, 4, 1], T);
    const tr = trainer({
      model: model({ layer: make(), outputSize: V }),
      seed: 1,
      clipNorm: 5,
      stateful: true,
    });
    const baseline = tf.memory().numTensors;
    expectNoLeak(100, () => {
      tr.step(batch, { gradNorms: true });
      tr.step({ ...batch, mask });
    });
    tr.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(baseline);
    disposeAll(batch, mask);
  });

  it("forward passes free everything on dispose", () => {
    const layer = make();
    const p = layer.init(1);
    const xs = randSeq(T, B, D, 2);
    const start = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const pass = layer.forward(p, xs);
      const g = pass.backward(pass.ys, { truncate: 2 });
      disposeAll(g.dParams, g.dxs, g.dCarry);
      pass.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
    disposeAll(p, xs);
  });
});

describe("truncated training", () => {
  it("frees every tensor across chunks (100 sequences)", () => {
    const tr = trainer({
      model: model({ layer: unroll(lstm({ inputSize: D, hiddenSize: H })), outputSize: V }),
      seed: 1,
    });
    const batch: Batch = { xs: randSeq(T, B, D, 3), targets: targets() };
    expectNoLeak(100, () => trainTruncated(tr, batch, { k1: 4, k2: 2 }));
    tr.dispose();
    disposeAll(batch);
  });

  it("frees everything when a step throws", () => {
    const tr = trainer({
      model: model({ layer: unroll(lstm({ inputSize: D, hiddenSize: H })), outputSize: V }),
      seed: 1,
    });
    const batch: Batch = {
      xs: randSeq(T, B, D, 3).map((x) => {
        const bad = tf.mul(x, NaN) as tf.Tensor2D;
        x.dispose();
        return bad;
      }),
      targets: targets(),
    };
    const start = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) expect(() => tr.step(batch)).toThrow(/xs\[0\] has NaN/);
    expect(tf.memory().numTensors).toBe(start);
    tr.dispose();
    disposeAll(batch);
  });
});

describe("divergence", () => {
  it("undoing diverged updates, again and again, leaves the count of a good step", () => {
    const tr = trainer({
      model: model({ layer: unroll(lstm({ inputSize: D, hiddenSize: H })), outputSize: V }),
      seed: 1,
      learningRate: 0.01,
    });
    const batch: Batch = { xs: randSeq(T, B, D, 3), targets: targets() };
    tr.step(batch); //                                  warm-up: Adam's slots made,
    tr.step(batch); //                                  then kept in the copy of step 1
    const held = tf.memory().numTensors;
    for (let round = 0; round < 5; round++) {
      tr.learningRate = 3e38;
      expect(() => {
        for (let k = 0; k < 10; k++) tr.step(batch);
      }).toThrow(/^training diverged/);
      tr.learningRate = 0.01;
      tr.step(batch);
      expect(tf.memory().numTensors).toBe(held);
    }
    tr.dispose();
    disposeAll(batch);
  });
});

describe.each(Object.keys(CELLS))("%s: error paths and init", (name) => {
  it("init makes exactly its parameters; a rejected factory or forward makes nothing", () => {
    const layer = unroll(CELLS[name]({ inputSize: D, hiddenSize: H }));
    const before = tf.memory().numTensors;
    const p = layer.init(1);
    expect(tf.memory().numTensors - before).toBe(Object.keys(layer.shapes).length);
    expect(() => CELLS[name]({ inputSize: D, hiddenSize: -1 })).toThrow(/hiddenSize/);
    const wrong = randSeq(T, B, D + 1, 1);
    expect(() => layer.forward(p, wrong)).toThrow(/must be/);
    disposeAll(p, wrong);
    expect(tf.memory().numTensors).toBe(before);
  });
});
