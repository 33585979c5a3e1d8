/**
 * Synchronous data parallelism: the same trajectory as one thread with the same total batch
 * (sequence and many-to-one heads, masks, class weights, stateful carries, uneven shards), bad
 * data reported by the worker that saw it with the trainer still usable, no tensor left behind
 * on either side.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { checkLeaks } from "../helpers";
import { initBackend } from "../../src/backend";
import { disposeAll } from "../../src/layer";
import { model } from "../../src/model";
import { parallelTrainer } from "../../src/parallel/sync";
import { lossWeight, packBatch, packShards, rowRanges, unpackBatch } from "../../src/parallel/rows";
import { initModel, lossAndGrads } from "../../src/model";
import { modelFromSpec, ModelSpec } from "../../src/spec";
import { charModel } from "../../src/text/charmodel";
import { trainer } from "../../src/train";
import { unroll } from "../../src/scan";
import { lstm } from "../../src/cells";
import { charBatch, classBatch } from "./batches";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const TOL = { rtol: 2e-5, atol: 2e-6 };

describe("the loss of a batch is the weighted mean of its shards' losses", () => {
  const specs: [string, ModelSpec, boolean][] = [
    ["sequence", { layer: { cell: "gru", inputSize: 5, hiddenSize: 6 }, outputSize: 5 }, false],
    [
      "sequence, masked",
      { layer: { cell: "lstm", inputSize: 5, hiddenSize: 6 }, outputSize: 5 },
      true,
    ],
    [
      "last, masked, class weights",
      {
        layer: { cell: "simple", inputSize: 5, hiddenSize: 6 },
        outputSize: 3,
        output: "last",
        classWeights: [1, 2, 0.5],
      },
      true,
    ],
  ];
  for (const [name, spec, masked] of specs)
    it(name, () => {
      const m = modelFromSpec(spec);
      const p = initModel(m, 3);
      const b = spec.output === "last" ? classBatch(7, 6, 3, 1) : charBatch(7, 6, 5, 1, masked);
      const whole = lossAndGrads(m, p, b);
      const raw = packBatch("test", b);
      const W = lossWeight(m, raw);
      let sum = 0;
      expect(rowRanges(7, 3)).toEqual([
        [0, 3],
        [3, 5],
        [5, 7],
      ]);
      for (const part of packShards("test", b, rowRanges(7, 3))) {
        const w = lossWeight(m, part);
        const pb = unpackBatch(part);
        const r = lossAndGrads(m, p, pb);
        sum += (w / W) * r.loss;
        disposeAll(pb, r.grads, r.carry);
      }
      expect(sum).toBeAllclose(whole.loss, TOL);
      disposeAll(b, p, whole.grads, whole.carry);
    });
});

describe("parallelTrainer", () => {
  it("follows the single-thread trainer's loss curve (stateful stacked LSTM, 3 uneven shards)", async () => {
    const m = charModel({ cell: "lstm", hiddenSize: 12, layers: 2, vocabSize: 7 });
    const options = { model: m, seed: 4, clipNorm: 0.5, stateful: true, learningRate: 0.01 };
    const one = trainer(options);
    const par = await parallelTrainer({ ...options, workers: 3 });
    try {
      expect(par.workers).toBe(3);
      for (let s = 0; s < 6; s++) {
        const b = charBatch(8, 5, 7, s, false);
        const a = one.step(b);
        const p = await par.step(b);
        expect(p.loss).toBeAllclose(a.loss, TOL);
        expect(p.gradNorm).toBeAllclose(a.gradNorm, { rtol: 1e-4, atol: 1e-6 });
        disposeAll(b);
      }
      for (const k of Object.keys(one.params))
        expect(par.params[k]).toBeAllclose(one.params[k], { rtol: 1e-4, atol: 1e-5 });
      // each worker holds its rows' carry (h, c of 2 layers), and nothing else
      expect(await par.workerTensors()).toEqual([4, 4, 4]);
      await par.resetState();
      expect(await par.workerTensors()).toEqual([0, 0, 0]);
    } finally {
      one.dispose();
      await par.dispose();
    }
  });

  it("follows it on a masked many-to-one model with class weights, and with fewer rows than workers", async () => {
    const m = modelFromSpec({
      layer: {
        bidirectional: [
          { cell: "gru", inputSize: 5, hiddenSize: 4 },
          { cell: "gru", inputSize: 5, hiddenSize: 4 },
        ],
      },
      outputSize: 3,
      output: "last",
      classWeights: [1, 3, 0.5],
    });
    const one = trainer({ model: m, seed: 2, learningRate: 0.02 });
    const par = await parallelTrainer({ model: m, seed: 2, learningRate: 0.02, workers: 4 });
    try {
      for (const B of [9, 3, 9]) {
        const b = classBatch(B, 6, 3, B);
        const a = one.step(b);
        const p = await par.step(b);
        expect(p.loss).toBeAllclose(a.loss, TOL);
        expect(p.workerMs.filter((ms) => ms > 0).length).toBe(Math.min(B, 4));
        disposeAll(b);
      }
      expect(await par.workerTensors()).toEqual([0, 0, 0, 0]);
    } finally {
      one.dispose();
      await par.dispose();
    }
  });

  it("names the worker that saw bad data, and stays usable with its carries unchanged", async () => {
    const m = charModel({ cell: "gru", hiddenSize: 8, layers: 1, vocabSize: 6 });
    const one = trainer({ model: m, seed: 1, stateful: true });
    const par = await parallelTrainer({ model: m, seed: 1, stateful: true, workers: 2 });
    try {
      const good = charBatch(4, 5, 6, 0, false);
      expect((await par.step(good)).loss).toBeAllclose(one.step(good).loss, TOL);
      const bad = charBatch(4, 5, 6, 1, false);
      const row3 = tf.tensor2d([[0, 0, 0, 0, 0, NaN]]);
      const x = tf.tidy(() => tf.concat([bad.xs[2].slice([0, 0], [3, 6]), row3]) as tf.Tensor2D);
      disposeAll(bad.xs[2], row3);
      bad.xs[2] = x;
      await expect(par.step(bad)).rejects.toThrow(
        /^parallelTrainer: worker 1: model: xs\[2\] has NaN at row 1, column 5; the data is bad/,
      );
      expect(() => one.step(bad)).toThrow(/xs\[2\] has NaN/);
      expect(par.steps).toBe(1);
      const next = charBatch(4, 5, 6, 2, false);
      expect((await par.step(next)).loss).toBeAllclose(one.step(next).loss, TOL);
      disposeAll(good, bad, next);
    } finally {
      one.dispose();
      await par.dispose();
    }
  });

  it("refuses what it cannot do with one-line errors, before starting any worker", async () => {
    const plain = model({ layer: unroll(lstm({ inputSize: 3, hiddenSize: 4 })), outputSize: 3 });
    await expect(parallelTrainer({ model: plain })).rejects.toThrow(
      /^parallelTrainer: workers rebuild the model from its spec, and this one has none; make it with rnn\.modelFromSpec/,
    );
    const m = charModel({ cell: "lstm", hiddenSize: 4, layers: 1, vocabSize: 3 });
    await expect(parallelTrainer({ model: m, workers: 0 })).rejects.toThrow(
      "parallelTrainer: workers must be an integer from 1 to 64 (got 0)",
    );
    await expect(parallelTrainer({ model: m, clipNorm: -1 })).rejects.toThrow(
      "parallelTrainer: clipNorm must be a finite positive number (got -1)",
    );
  });

  it("after dispose, a step says the workers are gone", async () => {
    const m = charModel({ cell: "simple", hiddenSize: 4, layers: 1, vocabSize: 3 });
    const par = await parallelTrainer({ model: m, workers: 1 });
    await par.dispose();
    const b = charBatch(2, 3, 3, 0, false);
    await expect(par.step(b)).rejects.toThrow(/the workers are gone: make a new trainer/);
    disposeAll(b);
  });
});
