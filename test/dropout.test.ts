/**
 * Variational dropout (src/dropout.ts): masks fixed per sequence and seeded, off in predict,
 * hand BPTT against autodiff and finite differences with the masks fixed, for every cell.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { bidirectional, stack } from "../src/compose";
import { dropMask, dropout, productOnly } from "../src/dropout";
import { gradcheck } from "../src/gradcheck";
import { maskFromLengths } from "../src/mask";
import { initModel, lossAndGrads, model, predict } from "../src/model";
import { unroll } from "../src/scan";
import { embed } from "../src/embedding";
import { tokenBatch } from "../src/text/batches";
import { trainer } from "../src/train";
import { lstm, simpleRNN } from "../src/cells";
import { CELLS, D, H } from "./cells/catalog";
import { randSeq } from "./gradcheck";
import { checkLeaks, expectFusedMatchesReference } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const oneHotRows = (ids: number[], V: number) =>
  tf.tidy(() => tf.oneHot(tf.tensor1d(ids, "int32"), V).toFloat() as tf.Tensor2D);
const rates = { input: 0.3, recurrent: 0.4, output: 0.25 };

describe.each(Object.entries(CELLS))("%s with dropout", (name, make) => {
  it("hand BPTT = autodiff (≤ 1e-4) and finite differences (≤ 1e-3), masks fixed", () => {
    const epsilon = name.includes("relu") ? 0.005 : 0.05;
    const r0 = productOnly(name) ? rates : { ...rates, recurrent: 0 }; //  see the next test
    const layer = dropout(unroll(make()), r0);
    const r = gradcheck(layer, { T: 5, B: 3, dropoutSeed: 11, finiteDifferences: true, epsilon });
    expect(r.worst, r.worstName).toBeLessThanOrEqual(1e-4);
    expect(r.finiteDifference).toBeLessThan(1e-3);
  });
});

describe("dropout", () => {
  it.each(["gru", "gru+reset-before", "mgu"])(
    "%s: recurrent dropout is refused in one line (it would grow the state)",
    (name) => {
      const layer = dropout(unroll(CELLS[name]()), { recurrent: 0.2 });
      const xs = randSeq(3, 2, D, 1);
      const p = layer.init(1);
      expect(() => layer.forward(p, xs, { train: { seed: 1 } })).toThrow(
        `${name}: recurrent dropout would also drop h_{t−1} in the interpolation z ⊙ h_{t−1}`,
      );
      const pred = layer.forward(p, xs); //                  predict: no dropout, so it runs
      pred.dispose();
      tf.dispose([xs, p] as never);
    },
  );

  it("through stacks and bidirectional layers, with a mask: autodiff agrees", () => {
    const layer = dropout(
      stack([
        bidirectional(
          unroll(lstm({ inputSize: D, hiddenSize: H })),
          unroll(simpleRNN({ inputSize: D, hiddenSize: H })),
        ),
        unroll(lstm({ inputSize: 2 * H, hiddenSize: H })),
      ]),
      rates,
    );
    const mask = maskFromLengths([5, 1, 3], 5);
    const r = gradcheck(layer, { T: 5, B: 3, dropoutSeed: 3, mask });
    expect(r.worst, r.worstName).toBeLessThanOrEqual(1e-4);
    mask.dispose();
  });

  it("a mask keeps ≈ 1 − p of the units, scaled by 1/(1 − p), and is the same for the same seed", () => {
    const m = dropMask(5, 200, 100, 0.3);
    const v = m.dataSync();
    const kept = v.filter((x) => x !== 0);
    expect(kept.length / v.length).toBeGreaterThan(0.68);
    expect(kept.length / v.length).toBeLessThan(0.72);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.7)]));
    const again = dropMask(5, 200, 100, 0.3);
    const other = dropMask(6, 200, 100, 0.3);
    expect(again).toBeAllclose(m, { rtol: 0, atol: 0 });
    expect(Array.from(other.dataSync())).not.toEqual(Array.from(v));
    tf.dispose([m, again, other]);
  });

  it("is off in predict and seeded in training: other seeds, other losses", () => {
    const inner = unroll(lstm({ inputSize: D, hiddenSize: H }));
    const m = model({ layer: dropout(inner, rates), outputSize: 3, output: "last" });
    const plain = model({ layer: inner, outputSize: 3, output: "last" });
    const p = initModel(m, 1);
    const xs = randSeq(6, 4, D, 2);
    const target = oneHotRows([0, 1, 2, 1], 3);
    const a = predict(m, p, xs);
    const b = predict(plain, p, xs);
    expect(a.output!).toBeAllclose(b.output!, { rtol: 0, atol: 0 });
    const run = (seed: number) => {
      const r = lossAndGrads(m, p, { xs, target }, { seed });
      tf.dispose([r.grads, r.carry] as never);
      return r.loss;
    };
    const clean = lossAndGrads(plain, p, { xs, target });
    tf.dispose([clean.grads, clean.carry] as never);
    expect(run(1)).toBe(run(1));
    expect(run(1)).not.toBe(run(2));
    expect(run(1)).not.toBe(clean.loss);
    tf.dispose([
      p,
      xs,
      target,
      a.outputs,
      a.carry,
      a.output!,
      b.outputs,
      b.carry,
      b.output!,
    ] as never);
  });

  it("the fast path and the reference ops give the same loss and gradients", () => {
    const m = model({
      layer: dropout(unroll(lstm({ inputSize: D, hiddenSize: H })), rates),
      outputSize: 3,
      output: "mean",
    });
    const p = initModel(m, 4);
    const xs = randSeq(6, 4, D, 5);
    const target = oneHotRows([0, 1, 2, 1], 3);
    const mask = maskFromLengths([6, 1, 3, 4], 6);
    const run = () => lossAndGrads(m, p, { xs, target, mask }, { seed: 9 });
    const { fast, ref } = expectFusedMatchesReference(run);
    tf.dispose([p, xs, target, mask, fast.grads, fast.carry, ref.grads, ref.carry] as never);
  });

  it.each([
    [{ input: 1 }, "dropout: input dropout must be in [0, 1) (got 1)"],
    [{ recurrent: -0.1 }, "dropout: recurrent dropout must be in [0, 1) (got -0.1)"],
    [{ output: NaN }, "dropout: output dropout must be in [0, 1) (got NaN)"],
  ])("refuses rate %o in one line", (r, message) => {
    const layer = unroll(lstm({ inputSize: D, hiddenSize: H }));
    expect(() => dropout(layer, r)).toThrow(message);
  });

  it("a trainer's steps with embeddings, dropout and masks keep numTensors flat", () => {
    const layer = embed(dropout(unroll(lstm({ inputSize: D, hiddenSize: H })), rates), {
      vocabSize: 9,
    });
    const m = model({ layer, outputSize: 2, output: "mean" });
    const tr = trainer({ model: m, seed: 2, learningRate: 0.01 });
    const b = tokenBatch([[3, 4, 5, 6], [7], [8, 2]]);
    const target = oneHotRows([0, 1, 0], 2);
    const losses: number[] = [];
    // optimizer slots and the rollback snapshot exist after two steps
    for (let k = 0; k < 2; k++) losses.push(tr.step({ xs: b.xs, mask: b.mask, target }).loss);
    const after = tf.memory().numTensors;
    for (let k = 0; k < 5; k++) {
      losses.push(tr.step({ xs: b.xs, mask: b.mask, target }).loss);
      expect(tf.memory().numTensors).toBe(after);
    }
    expect(new Set(losses).size).toBe(losses.length); //           a new dropout mask every step
    tr.dispose();
    tf.dispose([b.xs, b.mask, target]);
  });
});
