/** rnn.fit: the notebooks' training loop (progress, disposal, yielding, evaluations). */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { lstm } from "../../src/cells";
import { model, Batch } from "../../src/model";
import { fit } from "../../src/notebook/fit";
import { oneHot } from "../../src/onehot";
import { unroll } from "../../src/scan";
import { firstSymbolBatch } from "../../src/tasks/gap";
import { Trainer, trainer } from "../../src/train";
import { captureOutputs } from "../helpers";

const gapModel = () =>
  model({ layer: unroll(lstm({ inputSize: 8, hiddenSize: 6 })), outputSize: 4, output: "last" });
const gap = (s: number) => firstSymbolBatch({ T: 5, batch: 4, seed: s });
/** Tensors a trainer holds once it has stepped: a copy of its last good parameters (sgd). */
const kept = (tr: Trainer) => Object.keys(tr.params).length;

/** Next-symbol batches on 0 1 2 3 0 1 …, for a sequence model. */
const cyclic = (offset: number): Batch => {
  const oh = (t: number) =>
    oneHot(
      [0, 1, 2].map((b) => (t + b + offset) % 4),
      4,
    );
  return { xs: [0, 1, 2, 3].map(oh), targets: [1, 2, 3, 4].map(oh) };
};

describe("fit", () => {
  it("takes the same steps as a hand loop, disposes the batches it is given by a function", async () => {
    // sgd keeps no slots, so the trainer's own tensors do not change while it trains
    const tr = trainer({ model: gapModel(), seed: 1, learningRate: 1e-2, optimizer: "sgd" });
    const before = tf.memory().numTensors;
    const run = await fit(tr, gap, { steps: 7, label: "gap" });
    expect(tf.memory().numTensors).toBe(before + kept(tr)); //  the last good parameters
    const ref = trainer({ model: gapModel(), seed: 1, learningRate: 1e-2, optimizer: "sgd" });
    const hand: number[] = [];
    for (let s = 0; s < 7; s++) {
      const b = gap(s);
      hand.push(ref.step(b).loss);
      tf.dispose([b.xs, b.target]);
    }
    expect(run.losses).toEqual(hand);
    expect(run.gradNorms).toHaveLength(7);
    expect(run.seconds).toBeGreaterThanOrEqual(run.stepSeconds);
    expect(tr.steps).toBe(7);
    tr.dispose();
    ref.dispose();
  });

  it("cycles through an array it does not dispose; schedule, resets, step options", async () => {
    const batches = [cyclic(0), cyclic(1), cyclic(2)];
    const m = model({ layer: unroll(lstm({ inputSize: 4, hiddenSize: 5 })), outputSize: 4 });
    const tr = trainer({ model: m, seed: 2, stateful: true, optimizer: "sgd" });
    const before = tf.memory().numTensors;
    const rates: number[] = [];
    const norms: number[][] = [];
    const run = await fit(tr, batches, {
      steps: 5,
      start: 3,
      learningRate: (s) => 1e-3 * (s + 1),
      resetEvery: 2,
      stepOptions: { gradNorms: true },
      onStep: (r) => {
        rates.push(tr.learningRate);
        norms.push(r.gradNorms!.h);
      },
      display: false,
    });
    expect(run.losses).toHaveLength(5);
    expect(rates.map((r) => +r.toFixed(6))).toEqual([0.004, 0.005, 0.006, 0.007, 0.008]);
    expect(norms.every((n) => n.length === 4)).toBe(true);
    tr.resetState(); //                                     the carry a stateful trainer keeps
    expect(tf.memory().numTensors).toBe(before + kept(tr));
    tr.dispose();
    expect(batches.every((b) => b.xs.every((x) => !x.isDisposed))).toBe(true);
    tf.dispose(batches.map((b) => [b.xs, b.targets!]));
  });

  it("calls onEvery every n steps and after the last, keeping the numbers it returns", async () => {
    const tr = trainer({ model: gapModel(), seed: 1 });
    const seen: number[] = [];
    const run = await fit(tr, gap, {
      steps: 7,
      every: 3,
      onEvery: async (step) => {
        seen.push(step);
        return step === 3 ? undefined : step * 10;
      },
      display: false,
    });
    expect(seen).toEqual([3, 6, 7]);
    expect(run.evaluations).toEqual([
      { step: 6, value: 60 },
      { step: 7, value: 70 },
    ]);
    tr.dispose();
  });

  it("shows one progress display with its label, updated in place", async () => {
    const tr = trainer({ model: gapModel(), seed: 1 });
    const got = await captureOutputs(() => fit(tr, gap, { steps: 4, label: "LSTM, T = 5" }));
    tr.dispose();
    expect(new Set(got.map((g) => g.displayId)).size).toBe(1);
    const last = got[got.length - 1].bundle["text/plain"];
    expect(last).toMatch(/^LSTM, T = 5 4\/4 \(100%\) .* step\/s .* total · loss \d\.\d{3}$/);
  });

  it("stops on a failing step with stopOnError, without leaks", async () => {
    const tr = trainer({ model: gapModel(), seed: 1, learningRate: 1e-2, optimizer: "sgd" });
    const before = tf.memory().numTensors;
    const bad = (s: number): Batch => {
      const b = gap(s);
      if (s === 2) {
        const x0 = b.xs[0];
        b.xs[0] = tf.fill(x0.shape, NaN) as tf.Tensor2D;
        x0.dispose();
      }
      return b;
    };
    const run = await fit(tr, bad, { steps: 5, stopOnError: true, display: false });
    expect(run.losses).toHaveLength(2);
    expect(run.error).toMatch(/^model: xs\[0\] has NaN at row 0, column 0; the data is bad/);
    await expect(fit(tr, bad, { steps: 5, start: 2, display: false })).rejects.toThrow(
      "xs[0] has NaN",
    );
    expect(tf.memory().numTensors).toBe(before + kept(tr));
    tr.dispose();
  });

  it("rejects bad options in one line", async () => {
    const tr = trainer({ model: gapModel(), seed: 1 });
    const opts = { display: false };
    await expect(fit(tr, gap, { ...opts, steps: 0 })).rejects.toThrow(
      "fit: steps must be a positive integer (got 0)",
    );
    await expect(fit(tr, gap, { ...opts, steps: 2.5 })).rejects.toThrow("got 2.5");
    await expect(fit(tr, [], { ...opts, steps: 2 })).rejects.toThrow("fit: batches is empty");
    await expect(fit(tr, gap, { ...opts, steps: 2, every: 0 })).rejects.toThrow(
      "fit: every must be a positive integer (got 0)",
    );
    await expect(fit(tr, gap, { ...opts, steps: 2, onEvery: () => 1 })).rejects.toThrow(
      "fit: onEvery needs every",
    );
    await expect(fit(tr, gap, { ...opts, steps: 2, start: -1 })).rejects.toThrow(
      "fit: start must be a non-negative integer (got -1)",
    );
    expect(tr.steps).toBe(0);
    tr.dispose();
  });
});
