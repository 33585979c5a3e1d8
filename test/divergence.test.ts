/**
 * Training that survives divergence (issue 14): a step that finds the last update went wrong
 * (a loss or gradient norm that is not finite, or a loss over `maxLossRatio` × the first) puts
 * the trainer back to its parameters and optimizer state before that update, so lowering the
 * learning rate continues exactly as if the bad update had never happened. Bad data is refused
 * before anything changes, and named as bad data.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { lstm } from "../src/cells";
import { disposeAll, Params } from "../src/layer";
import { Batch, model } from "../src/model";
import { oneHot } from "../src/onehot";
import { unroll } from "../src/scan";
import { OPTIMIZERS, Trainer, trainer } from "../src/train";
import { checkLeaks } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const V = 4;
/** Next symbol of 0 1 2 3 0 1 …, T steps, B rows starting at different phases. */
const cyclic = (T: number, B: number): Batch => {
  const ids = (t: number) => Array.from({ length: B }, (_, b) => (t + b) % V);
  return {
    xs: Array.from({ length: T }, (_, t) => oneHot(ids(t), V)),
    targets: Array.from({ length: T }, (_, t) => oneHot(ids(t + 1), V)),
  };
};
const m = model({ layer: unroll(lstm({ inputSize: V, hiddenSize: 6 })), outputSize: V });
const copy = (p: Params): Params =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, tf.clone(v)]));
const values = (p: Params) => Object.values(p).map((v) => Array.from(v.dataSync()));

describe.each(OPTIMIZERS)("%s", (optimizer) => {
  it("a non-finite loss undoes the last update; lowering the rate continues exactly", () => {
    const batch = cyclic(5, 3);
    const make = () => trainer({ model: m, seed: 3, optimizer, learningRate: 0.01 });
    const tr = make();
    const twin = make(); //                                         the run without the accident
    const rates = [0.01, 0.01, 0.01, 3e38, 3e38, 3e38, 3e38]; //   until a loss overflows
    const kept: Params[] = [copy(tr.params)]; //                    parameters after each step
    let failed: Error | undefined;
    for (const lr of rates) {
      tr.learningRate = lr;
      try {
        tr.step(batch);
      } catch (e) {
        failed = e as Error;
        break;
      }
      kept.push(copy(tr.params));
    }
    const k = kept.length; //                                       the step that failed
    expect(k).toBeGreaterThan(4);
    expect(failed?.message).toMatch(
      new RegExp(
        `^training diverged at step ${k}: the loss is (NaN|Infinity) on finite data; the trainer is back at its parameters and optimizer state after step ${k - 2}: lower the learning rate`,
      ),
    );
    expect(tr.steps).toBe(k - 2);
    expect(values(tr.params)).toEqual(values(kept[k - 2]));
    for (const lr of rates.slice(0, k - 2)) {
      twin.learningRate = lr;
      twin.step(batch);
    }
    tr.learningRate = twin.learningRate = 0.01;
    for (let s = 0; s < 3; s++) expect(tr.step(batch).loss).toBe(twin.step(batch).loss);
    expect(values(tr.params)).toEqual(values(twin.params)); //     optimizer state restored too
    disposeAll(batch, kept);
    tr.dispose();
    twin.dispose();
  });
});

describe("divergence", () => {
  it("maxLossRatio catches an explosion while the loss is still finite (Adam, lr 1e30)", () => {
    const batch = cyclic(6, 4);
    const settings = { model: m, seed: 1, clipNorm: 5 };
    const tr = trainer({ ...settings, learningRate: 1e30, maxLossRatio: 3 });
    const start = copy(tr.params);
    const first = tr.step(batch).loss;
    expect(() => tr.step(batch)).toThrow(
      new RegExp(
        `^training diverged at step 2: the loss \\S+ is over 3× the first \\(${first.toPrecision(4)}\\) on finite data; the trainer is back at its parameters and optimizer state after step 0`,
      ),
    );
    expect(values(tr.params)).toEqual(values(start));
    expect(tr.optimizerState().iterations).toBe(0);
    // lowered, it is the fresh run of that rate: nothing of the exploded step is left
    tr.learningRate = 0.05;
    const fresh = trainer({ ...settings, learningRate: 0.05 });
    const losses = Array.from({ length: 25 }, () => tr.step(batch).loss);
    losses.forEach((l) => expect(l).toBe(fresh.step(batch).loss));
    expect(losses[24]).toBeLessThan(losses[0] / 2);
    disposeAll(batch, start);
    tr.dispose();
    fresh.dispose();
  });

  it("without maxLossRatio the exploding run goes on (the option is what catches it)", () => {
    const batch = cyclic(6, 4);
    const tr = trainer({ model: m, seed: 1, clipNorm: 5, learningRate: 1e30 });
    const first = tr.step(batch).loss;
    expect(tr.step(batch).loss).toBeGreaterThan(3 * first);
    disposeAll(batch);
    tr.dispose();
  });

  it("a diverged first step has nothing to undo and says so", () => {
    const tr = trainer({ model: m, seed: 1 });
    const nan = tf.fill([V], NaN);
    (tr.params["head.by"] as tf.Variable).assign(nan); //                    e.g. from a wrecked checkpoint
    const batch = cyclic(3, 2);
    expect(() => tr.step(batch)).toThrow(
      "training diverged at step 1: the loss is NaN on finite data; no update to undo: the parameters are those after step 0",
    );
    disposeAll(batch, nan);
    tr.dispose();
  });

  it("bad data is refused as bad data, and the trainer is untouched", () => {
    const tr = trainer({ model: m, seed: 1 });
    const twin = trainer({ model: m, seed: 1 });
    const batch = cyclic(4, 3);
    tr.step(batch);
    twin.step(batch);
    const x = batch.xs[1].bufferSync();
    x.set(Infinity, 2, 1);
    const bad = { ...batch, xs: batch.xs.map((t, i) => (i === 1 ? x.toTensor() : t)) };
    expect(() => tr.step(bad)).toThrow(
      "model: xs[1] has Infinity at row 2, column 1; the data is bad (not the training)",
    );
    expect(tr.steps).toBe(1);
    expect(tr.step(batch).loss).toBe(twin.step(batch).loss);
    disposeAll(batch, bad.xs[1]);
    tr.dispose();
    twin.dispose();
  });

  it("a stateful batch of another size names resetState()", () => {
    const tr: Trainer = trainer({ model: m, seed: 1, stateful: true });
    const big = cyclic(3, 4);
    const small = cyclic(3, 2);
    tr.step(big);
    expect(() => tr.step(small)).toThrow(
      "trainer: the carried state is for a batch of 4 rows but this batch has 2; call trainer.resetState() before a batch of another size",
    );
    tr.resetState();
    expect(Number.isFinite(tr.step(small).loss)).toBe(true);
    disposeAll(big, small);
    tr.dispose();
  });
});
