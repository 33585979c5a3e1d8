/** Training: determinism, learning, stateful carry, truncated BPTT, clipping, NaN guard. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { clipByGlobalNorm, clipByValue, globalNorm } from "../src/clip";
import { gru, lstm } from "../src/cells";
import { disposeAll } from "../src/layer";
import { Batch, initModel, lossAndGrads, model } from "../src/model";
import { unroll } from "../src/scan";
import { OPTIMIZERS, randomChunkLengths, trainer, trainTruncated } from "../src/train";
import { checkLeaks, EXACT } from "./helpers";
import { randn } from "./gradcheck";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

/** Next-symbol prediction on the repeating sequence 0 1 2 3 0 1 2 3 … (learnable). */
function cyclic(T: number, B: number, V = 4, offset = 0): Batch {
  const seq = (t: number, b: number) => (t + b + offset) % V;
  const oh = (t: number) =>
    tf.tidy(
      () =>
        tf
          .oneHot(
            tf.tensor1d(
              Array.from({ length: B }, (_, b) => seq(t, b)),
              "int32",
            ),
            V,
          )
          .toFloat() as tf.Tensor2D,
    );
  return {
    xs: Array.from({ length: T }, (_, t) => oh(t)),
    targets: Array.from({ length: T }, (_, t) => oh(t + 1)),
  };
}

const lstmModel = (H = 8) =>
  model({ layer: unroll(lstm({ inputSize: 4, hiddenSize: H })), outputSize: 4 });

describe("trainer", () => {
  it("learns a repeating sequence (loss falls from ln 4 to near 0)", () => {
    const tr = trainer({ model: lstmModel(), seed: 1, learningRate: 0.05 });
    const batch = cyclic(8, 4);
    const losses = Array.from({ length: 60 }, () => tr.step(batch).loss);
    expect(losses[0]).toBeGreaterThan(1.2);
    expect(losses[59]).toBeLessThan(0.1);
    tr.dispose();
    disposeAll(batch);
  });

  it("the same seed gives the same loss curve", () => {
    const batch = cyclic(6, 3);
    const curve = () => {
      const tr = trainer({ model: lstmModel(), seed: 42, learningRate: 0.02 });
      const c = Array.from({ length: 8 }, () => tr.step(batch).loss);
      tr.dispose();
      return c;
    };
    const [a, b] = [curve(), curve()];
    expect(a).toEqual(b);
    const tr = trainer({ model: lstmModel(), seed: 43, learningRate: 0.02 });
    expect(tr.step(batch).loss).not.toBe(a[0]);
    tr.dispose();
    disposeAll(batch);
  });

  it.each(OPTIMIZERS)("optimizer %s lowers the loss", (name) => {
    const tr = trainer({
      model: model({ layer: unroll(gru({ inputSize: 4, hiddenSize: 8 })), outputSize: 4 }),
      seed: 2,
      optimizer: name,
      learningRate: { sgd: 0.5, adagrad: 0.2, adam: 0.02, rmsprop: 0.02 }[name],
    });
    const batch = cyclic(6, 3);
    const first = tr.step(batch).loss;
    let last = first;
    for (let i = 0; i < 25; i++) last = tr.step(batch).loss;
    expect(last).toBeLessThan(first * 0.9);
    tr.dispose();
    disposeAll(batch);
  });

  it("stateful training passes each step's final carry into the next; resetState starts from zeros", () => {
    const m = lstmModel(5);
    const lr = 0.1;
    const [b1, b2] = [cyclic(4, 2), cyclic(4, 2, 4, 4)];
    const tr = trainer({ model: m, seed: 3, optimizer: "sgd", learningRate: lr, stateful: true });
    tr.step(b1);
    const loss2 = tr.step(b2).loss;
    // by hand: p1 = p0 − lr·g(b1), then b2 from the carry b1 ended with
    const p0 = initModel(m, 3);
    const r1 = lossAndGrads(m, p0, b1);
    const p1 = Object.fromEntries(
      Object.entries(p0).map(([k, v]) => [k, tf.tidy(() => tf.sub(v, tf.mul(r1.grads[k], lr)))]),
    );
    const r2 = lossAndGrads(m, p1, { ...b2, carry: r1.carry });
    expect(loss2).toBeCloseTo(r2.loss, 5);
    const fresh = lossAndGrads(m, p1, b2);
    expect(Math.abs(fresh.loss - r2.loss)).toBeGreaterThan(1e-4); // the carry matters
    tr.resetState();
    const before = Object.fromEntries(Object.entries(tr.params).map(([k, v]) => [k, tf.clone(v)]));
    const afterReset = lossAndGrads(m, before, b1);
    expect(tr.step(b1).loss).toBeCloseTo(afterReset.loss, 5);
    disposeAll(tr, p0, r1, p1, r2, fresh, before, afterReset, b1, b2);
    tr.dispose();
  });

  it("refuses NaN inputs as bad data, naming where, before changing any parameter", () => {
    const tr = trainer({ model: lstmModel(), seed: 1 });
    const batch = cyclic(4, 2);
    const bad = {
      ...batch,
      xs: batch.xs.map((x, t) => (t === 2 ? tf.mul(x, NaN) : x)) as tf.Tensor2D[],
    };
    const before = Array.from(tr.params.Wx.dataSync());
    expect(() => tr.step(bad)).toThrow(
      "model: xs[2] has NaN at row 0, column 0; the data is bad (not the training): clean it, or leave that sequence out",
    );
    expect(tr.steps).toBe(0);
    expect(Array.from(tr.params.Wx.dataSync())).toEqual(before);
    tr.dispose();
    disposeAll(batch, bad);
  });

  it("reports the gradient norm and per-step ‖∂L/∂h_t‖", () => {
    const tr = trainer({ model: lstmModel(), seed: 1, clipNorm: 1e-3 });
    const batch = cyclic(5, 2);
    const r = tr.step(batch, { gradNorms: true });
    expect(r.gradNorm).toBeGreaterThan(1e-3); // measured before clipping
    expect(r.gradNorms!.h).toHaveLength(5);
    expect(r.gradNorms!.h.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    tr.dispose();
    disposeAll(batch);
  });
});

describe("learning rate", () => {
  it("can be changed between steps: with sgd the update scales with it", () => {
    const batch = cyclic(5, 3);
    const deltas: number[] = [];
    for (const lr of [0.1, 0.1, 0.3]) {
      const tr = trainer({ model: lstmModel(), seed: 4, optimizer: "sgd", learningRate: 0.1 });
      tr.learningRate = lr;
      expect(tr.learningRate).toBe(lr);
      const before = tf.clone(tr.params.Wh);
      tr.step(batch);
      deltas.push(tf.tidy(() => tf.sum(tf.abs(tf.sub(tr.params.Wh, before))).dataSync()[0]));
      before.dispose();
      tr.dispose();
    }
    expect(deltas[1]).toBeCloseTo(deltas[0], 6);
    expect(deltas[2] / deltas[0]).toBeCloseTo(3, 4);
    disposeAll(batch);
  });

  it("rejects a rate that is not a positive number", () => {
    const tr = trainer({ model: lstmModel(), seed: 1 });
    expect(() => (tr.learningRate = 0)).toThrow(/learningRate must be a positive number \(got 0\)/);
    expect(() => (tr.learningRate = NaN)).toThrow(/got NaN/);
    tr.dispose();
  });
});

describe("truncated BPTT(k1, k2)", () => {
  it("k1 = k2 = T is one full-BPTT update", () => {
    const m = lstmModel(5);
    const batch = cyclic(6, 2);
    const a = trainer({ model: m, seed: 4, learningRate: 0.05 });
    const b = trainer({ model: m, seed: 4, learningRate: 0.05 });
    expect(trainTruncated(a, batch, { k1: 6 })).toEqual([b.step(batch).loss]);
    expect(a.params.Wx).toBeAllclose(b.params.Wx, EXACT);
    disposeAll(batch);
    a.dispose();
    b.dispose();
  });

  it("updates once per chunk of k1 steps, passing the carry along", () => {
    const tr = trainer({ model: lstmModel(5), seed: 4, learningRate: 0.05 });
    const batch = cyclic(10, 2);
    expect(trainTruncated(tr, batch, { k1: 4, k2: 2 })).toHaveLength(3);
    expect(tr.steps).toBe(3);
    tr.dispose();
    disposeAll(batch);
  });

  it("rejects k2 > k1 and non-positive lengths", () => {
    const tr = trainer({ model: lstmModel(5), seed: 4 });
    const batch = cyclic(6, 2);
    expect(() => trainTruncated(tr, batch, { k1: 3, k2: 4 })).toThrow(
      "trainTruncated: k2 (4) must not exceed k1 (3)",
    );
    expect(() => trainTruncated(tr, batch, { k1: 0 })).toThrow(
      "trainTruncated: k1 must be a positive integer (got 0)",
    );
    expect(() => trainTruncated(tr, batch, { k1: 3, k2: -1 })).toThrow(
      "trainTruncated: k2 must be a positive integer (got -1)",
    );
    tr.dispose();
    disposeAll(batch);
  });
});

describe("randomized truncation lengths", () => {
  it("are uniform on 1 … 2·k1 − 1 (mean k1), sum to T, and follow the seed", () => {
    const T = 20000,
      k1 = 5;
    const a = randomChunkLengths(T, k1, 7);
    expect(a.reduce((x, y) => x + y, 0)).toBe(T);
    expect(a.slice(0, -1).every((n) => Number.isInteger(n) && n >= 1 && n <= 2 * k1 - 1)).toBe(
      true,
    );
    const counts = Array.from({ length: 2 * k1 }, (_, n) => a.filter((m) => m === n).length);
    expect(counts[0]).toBe(0);
    for (let n = 1; n < 2 * k1; n++) expect(counts[n] / a.length).toBeCloseTo(1 / 9, 1);
    const mean = T / a.length;
    expect(Math.abs(mean - k1)).toBeLessThan(0.15);
    expect(randomChunkLengths(T, k1, 7)).toEqual(a);
    expect(randomChunkLengths(T, k1, 8)).not.toEqual(a);
    expect(randomChunkLengths(3, 10, 1).reduce((x, y) => x + y, 0)).toBe(3); // the last one cut
    expect(randomChunkLengths(12, 1, 3)).toEqual(Array(12).fill(1)); //         k1 = 1: all ones
  });
});

describe("truncated BPTT with random lengths", () => {
  it("updates once per drawn chunk, backpropagating through the whole chunk", () => {
    const m = lstmModel(5);
    const batch = cyclic(17, 2);
    const lengths = randomChunkLengths(17, 4, 11);
    expect(lengths.length).toBeGreaterThan(2);
    const a = trainer({ model: m, seed: 4, learningRate: 0.05 });
    const losses = trainTruncated(a, batch, { k1: 4, random: { seed: 11 } });
    expect(losses).toHaveLength(lengths.length);
    expect(a.steps).toBe(lengths.length);
    // the same chunks by hand: full BPTT inside each, the carry passed along
    const b = trainer({ model: m, seed: 4, learningRate: 0.05 });
    let carry: Record<string, tf.Tensor2D> | undefined;
    let s = 0;
    const byHand = lengths.map((n) => {
      const r = b.step(
        { xs: batch.xs.slice(s, s + n), targets: batch.targets!.slice(s, s + n), carry },
        { returnCarry: true },
      );
      disposeAll(carry);
      carry = r.carry;
      s += n;
      return r.loss;
    });
    disposeAll(carry);
    expect(losses).toEqual(byHand);
    expect(a.params.Wx).toBeAllclose(b.params.Wx, EXACT);
    disposeAll(batch);
    a.dispose();
    b.dispose();
  });

  it("is reproducible by seed, differs across seeds, and frees every tensor it makes", () => {
    const m = lstmModel(5);
    const batch = cyclic(24, 2);
    const run = (seed: number) => {
      const start = tf.memory().numTensors;
      const tr = trainer({ model: m, seed: 4, learningRate: 0.05 });
      const losses = trainTruncated(tr, batch, { k1: 3, random: { seed } });
      tr.dispose();
      expect(tf.memory().numTensors).toBe(start); //      the chunks' carries freed, too
      return losses;
    };
    const first = run(5);
    expect(run(5)).toEqual(first);
    expect(run(6)).not.toEqual(first);
    disposeAll(batch);
  });

  it("rejects a bad random option and k2 beside it, naming the option", () => {
    const tr = trainer({ model: lstmModel(5), seed: 4 });
    const batch = cyclic(6, 2);
    expect(() => trainTruncated(tr, batch, { k1: 3, random: { seed: 1.5 } })).toThrow(
      'trainTruncated: random must be { seed } with an integer seed (got {"seed":1.5})',
    );
    expect(() =>
      trainTruncated(tr, batch, { k1: 3, random: null as unknown as { seed: number } }),
    ).toThrow("trainTruncated: random must be { seed } with an integer seed (got null)");
    expect(() => trainTruncated(tr, batch, { k1: 3, k2: 2, random: { seed: 1 } })).toThrow(
      "trainTruncated: k2 (2) cannot be set with random",
    );
    expect(() => trainTruncated(tr, batch, { k1: 0, random: { seed: 1 } })).toThrow(
      "trainTruncated: k1 must be a positive integer (got 0)",
    );
    expect(tr.steps).toBe(0);
    tr.dispose();
    disposeAll(batch);
  });
});

describe("clipping", () => {
  it("by global norm scales everything together; by value clips each element", () => {
    tf.tidy(() => {
      const g = { a: randn([3, 4], 1, 10), b: randn([5], 2, 10) };
      const n = globalNorm(g);
      const c = clipByGlobalNorm(g, 1);
      expect(c.norm).toBeCloseTo(n, 4);
      expect(globalNorm(c.grads)).toBeCloseTo(1, 4);
      expect(c.grads.a).toBeAllclose(tf.mul(g.a, 1 / n), { rtol: 1e-5 });
      const same = clipByGlobalNorm(g, 1e6);
      expect(same.grads.b).toBeAllclose(g.b, { rtol: 0, atol: 0 });
      const v = clipByValue(g, 0.5);
      expect(Math.max(...Array.from(v.a.dataSync()).map(Math.abs))).toBeLessThanOrEqual(0.5);
      expect(() => clipByGlobalNorm(g, 0)).toThrow(
        "clipByGlobalNorm: the limit must be a positive number (got 0)",
      );
    });
  });
});
