/**
 * Asynchronous SGD (Downpour): every push applied exactly once, staleness as the emulated
 * number of workers predicts, one worker and one virtual worker = plain SGD, failures reported
 * (a dead worker rejects the run instead of hanging it), no tensors left behind.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { disposeAll } from "../../src/layer";
import { asyncTrainer } from "../../src/parallel/async";
import { charModel } from "../../src/text/charmodel";
import { trainer } from "../../src/train";
import { checkLeaks } from "../helpers";
import { charBatch } from "./batches";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const m = charModel({ cell: "lstm", hiddenSize: 8, layers: 1, vocabSize: 6 });
const batches = (k: number) => charBatch(4, 5, 6, k, false);

describe("asyncTrainer", () => {
  it("with one worker and no emulation is the single-thread trainer", async () => {
    const one = trainer({ model: m, seed: 3, learningRate: 0.01, clipNorm: 1 });
    const tr = await asyncTrainer({
      model: m,
      seed: 3,
      learningRate: 0.01,
      clipNorm: 1,
      workers: 1,
    });
    try {
      const run = await tr.run({ updates: 5, batches });
      for (let k = 0; k < 5; k++) {
        const b = batches(k);
        expect(run[k].loss).toBeAllclose(one.step(b).loss, { rtol: 2e-5, atol: 2e-6 });
        disposeAll(b);
        expect(run[k].staleness).toBe(0);
      }
    } finally {
      one.dispose();
      await tr.dispose();
    }
  });

  it("applies every push exactly once; emulated workers make each gradient V − 1 updates stale", async () => {
    const V = 4;
    const tr = await asyncTrainer({ model: m, seed: 1, workers: 1, emulate: V });
    try {
      const seen: number[] = [];
      const run = await tr.run({ updates: 12, batches, onUpdate: (u) => seen.push(u.batch) });
      expect(tr.steps).toBe(12);
      expect(run.map((u) => u.update)).toEqual([...Array(12).keys()]);
      expect([...seen].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
      // one thread, round robin over V virtual workers: the first V pulled θ_0
      expect(run.map((u) => u.staleness)).toEqual([0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
      expect(run.map((u) => u.virtual)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
      expect(await tr.workerTensors()).toEqual([0]);
    } finally {
      await tr.dispose();
    }
  });

  it("on two threads, pushes from both are applied once each and staleness stays near V − 1", async () => {
    const V = 6;
    const tr = await asyncTrainer({ model: m, seed: 1, workers: 2, emulate: V });
    try {
      const run = await tr.run({ updates: 30, batches });
      expect(new Set(run.map((u) => u.batch)).size).toBe(30);
      expect(new Set(run.map((u) => u.worker))).toEqual(new Set([0, 1]));
      // timing decides each one (a slow job lets the other thread apply more meanwhile);
      // on average a gradient waits for the V − 1 virtual workers ahead of it
      const steady = run.slice(V).map((u) => u.staleness);
      const mean = steady.reduce((a, s) => a + s, 0) / steady.length;
      expect(mean).toBeGreaterThan(V - 2);
      expect(mean).toBeLessThan(V);
    } finally {
      await tr.dispose();
    }
  });

  it("a worker that exits rejects the run with which worker and what, and ends the trainer", async () => {
    const tr = await asyncTrainer({ model: m, workers: 2 });
    try {
      const fault = { worker: 1, job: 1, kind: "exit" as const };
      await expect(tr.run({ updates: 20, batches, fault })).rejects.toThrow(
        /^asyncTrainer: worker 1 exited \(code 3\) in the middle of training$/,
      );
      await expect(tr.run({ updates: 2, batches })).rejects.toThrow(
        /worker 1 exited \(code 3\) in the middle of training; the workers are gone: make a new trainer/,
      );
    } finally {
      await tr.dispose();
    }
  });

  it("a job that throws rejects the run; the trainer keeps its updates and runs on", async () => {
    const tr = await asyncTrainer({ model: m, workers: 2 });
    try {
      const fault = { worker: 0, job: 2, kind: "throw" as const };
      await expect(tr.run({ updates: 20, batches, fault })).rejects.toThrow(
        /^asyncTrainer: worker 0: injected fault/,
      );
      const before = tr.steps;
      expect(before).toBeGreaterThanOrEqual(2);
      expect(before).toBeLessThan(20);
      const run = await tr.run({ updates: 3, batches });
      expect(run.length).toBe(3);
      expect(tr.steps).toBe(before + 3);
      expect(await tr.workerTensors()).toEqual([0, 0]);
    } finally {
      await tr.dispose();
    }
  });

  it("delayMs makes every job at least that slow (a slower or farther worker)", async () => {
    const tr = await asyncTrainer({ model: m, workers: 2, delayMs: 40 });
    try {
      const run = await tr.run({ updates: 4, batches });
      for (const u of run) expect(u.workerMs).toBeGreaterThanOrEqual(40);
    } finally {
      await tr.dispose();
    }
  });

  it("checks its options with one-line errors", async () => {
    await expect(asyncTrainer({ model: m, workers: 2, emulate: 1 })).rejects.toThrow(
      "asyncTrainer: emulate must be an integer from workers (2) to 1024 (got 1)",
    );
    await expect(asyncTrainer({ model: m, delayMs: -1 })).rejects.toThrow(
      "asyncTrainer: delayMs must be a non-negative number (got -1)",
    );
    const tr = await asyncTrainer({ model: m, workers: 1 });
    await expect(tr.run({ updates: 0, batches })).rejects.toThrow(
      "asyncTrainer: updates must be a positive integer (got 0)",
    );
    await tr.dispose();
  });
});
