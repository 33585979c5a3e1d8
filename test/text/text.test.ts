/** Vocabulary, text batches for truncated BPTT, sampling, checkpoints. */
import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { loadCheckpoint, saveCheckpoint } from "../../src/checkpoint";
import { disposeAll } from "../../src/layer";
import { initModel, lossAndGrads } from "../../src/model";
import { checkContinuity } from "../../src/series/stateful";
import { textBatch, textLayout } from "../../src/text/batches";
import { charModel } from "../../src/text/charmodel";
import { sample, samplingDistribution } from "../../src/text/sample";
import { vocabulary } from "../../src/text/vocab";
import { trainer } from "../../src/train";
import { checkLeaks, tempDir } from "../helpers";

beforeAll(async () => {
  await initBackend();
});

describe("vocabulary", () => {
  checkLeaks();
  it("encodes and decodes round trip with sorted characters", () => {
    const v = vocabulary("hello world");
    expect(v.chars).toEqual([" ", "d", "e", "h", "l", "o", "r", "w"]);
    expect(v.decode(v.encode("low old"))).toBe("low old");
  });

  it("names an unknown character and lists the vocabulary, or maps it to the unknown token", () => {
    expect(() => vocabulary("ab").encode("abc")).toThrow(
      'vocabulary: character "c" at position 2 is not in the vocabulary of 2: "a" "b" (give { unknown } to map such characters)',
    );
    const v = vocabulary("ab", { unknown: "?" });
    expect(v.decode(v.encode("abc"))).toBe("ab?");
    expect(() => v.decode([9])).toThrow("vocabulary: id 9 at position 0 is outside 0…2");
  });
});

describe("text batches", () => {
  checkLeaks();
  it("lay the text out as contiguous streams, each target the next character", () => {
    const v = vocabulary("abcdefghij");
    const ids = v.encode("abcdefghijabcdefghij");
    const layout = textLayout(ids.length, { batch: 2, steps: 3 });
    expect(checkContinuity(layout)).toEqual({ ok: true });
    const b = textBatch(ids, layout[1], v.size);
    const decode = (t: tf.Tensor2D) => {
      const best = t.argMax(1);
      const text = v.decode(Array.from(best.dataSync()));
      best.dispose();
      return text;
    };
    // 19 usable positions in 2 streams of 9: stream 0 = 0…8, stream 1 = 9…17; batch 1 = steps 3…5
    expect(b.xs.map(decode)).toEqual(["dc", "ed", "fe"]); //       rows: text[3..5] = "def", text[12..14] = "cde"
    expect(b.targets.map(decode)).toEqual(["ed", "fe", "gf"]); //  the next characters
    disposeAll(b);
  });
});

describe("sampling", () => {
  checkLeaks();
  it("temperature sharpens or flattens, top-k keeps k, and greedy is deterministic", () => {
    const z = [2, 1, 0];
    const cold = samplingDistribution(z, { temperature: 0.2 });
    const hot = samplingDistribution(z, { temperature: 5 });
    expect(cold[0]).toBeGreaterThan(0.99);
    expect(hot[2]).toBeGreaterThan(0.25);
    expect(Array.from(samplingDistribution(z, { topK: 1 }))).toEqual([1, 0, 0]);
    expect(() => samplingDistribution(z, { temperature: 0 })).toThrow(
      "temperature must be a finite positive number",
    );
    const v = vocabulary("abcd");
    const m = charModel({ cell: "gru", hiddenSize: 8, layers: 2, vocabSize: v.size });
    const p = initModel(m, 1);
    const start = tf.memory().numTensors;
    const a = sample(m, p, v, { prefix: "ab", length: 12, greedy: true });
    const b = sample(m, p, v, { prefix: "ab", length: 12, topK: 1, seed: 5 });
    expect(a.text).toHaveLength(12);
    expect(b.text).toBe(a.text); // top-1 sampling is greedy
    const s1 = sample(m, p, v, { prefix: "a", length: 20, seed: 3 });
    expect(sample(m, p, v, { prefix: "a", length: 20, seed: 3 }).text).toBe(s1.text);
    expect(s1.entropies.every((h) => h >= 0 && h <= Math.log(4) + 1e-9)).toBe(true);
    expect(tf.memory().numTensors).toBe(start);
    expect(() => sample(m, p, v, { prefix: "", length: 3 })).toThrow(
      "prefix must have at least one character",
    );
    disposeAll(p);
  });
});

describe("checkpoints", () => {
  checkLeaks();
  it("save and load weights, vocabulary and configuration; training resumes from the saved loss", () => {
    const dir = tempDir();
    const v = vocabulary("the cat sat on the mat");
    const config = { cell: "lstm" as const, hiddenSize: 8, layers: 1, vocabSize: v.size };
    const m = charModel(config);
    const ids = v.encode("the cat sat on the mat the cat sat on the mat");
    const batch = textBatch(ids, textLayout(ids.length, { batch: 2, steps: 5 })[0], v.size);
    const tr = trainer({ model: m, seed: 1, learningRate: 0.05 });
    for (let i = 0; i < 5; i++) tr.step(batch);
    const before = lossAndGrads(m, tr.params, batch);
    saveCheckpoint(dir, tr.params, { config, vocabulary: v.chars, step: tr.steps });
    const manifest = JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8"));
    expect(existsSync(join(dir, manifest.weights.file))).toBe(true);
    const ck = loadCheckpoint<{ config: typeof config; vocabulary: string[]; step: number }>(dir);
    expect(ck.meta.step).toBe(5);
    expect(ck.meta.vocabulary).toEqual(v.chars);
    const m2 = charModel(ck.meta.config);
    const after = lossAndGrads(m2, ck.params, batch);
    expect(after.loss).toBe(before.loss);
    const resumed = trainer({ model: m2, params: ck.params, learningRate: 0.05 });
    expect(resumed.step(batch).loss).toBe(before.loss);
    disposeAll(before, after, ck.params, batch);
    tr.dispose();
    resumed.dispose();
  });

  it("with Adam's state, a resumed run takes exactly the steps the uninterrupted one takes", () => {
    const dir = tempDir();
    const v = vocabulary("to be or not to be that is the question");
    const config = { cell: "gru" as const, hiddenSize: 8, layers: 2, vocabSize: v.size };
    const ids = v.encode("to be or not to be that is the question ".repeat(3));
    const batch = textBatch(ids, textLayout(ids.length, { batch: 2, steps: 6 })[0], v.size);
    const opts = { model: charModel(config), seed: 3, learningRate: 0.02 };
    const straight = trainer(opts);
    const lossesStraight = Array.from({ length: 6 }, () => straight.step(batch).loss);
    const first = trainer(opts);
    for (let i = 0; i < 3; i++) first.step(batch);
    const state = first.optimizerState();
    expect(state.iterations).toBe(3);
    expect(Object.keys(state.slots).sort()).toEqual(
      Object.keys(first.params)
        .flatMap((k) => [`${k}/m`, `${k}/v`])
        .sort(),
    );
    saveCheckpoint(dir, first.params, { config }, state);
    const ck = loadCheckpoint<{ config: typeof config }>(dir);
    expect(ck.optimizer?.iterations).toBe(3);
    expect(Object.keys(ck.params).some((k) => k.startsWith("optimizer/"))).toBe(false);
    const resumed = trainer({
      model: charModel(ck.meta.config),
      params: ck.params,
      learningRate: 0.02,
      optimizerState: ck.optimizer,
    });
    const lossesResumed = Array.from({ length: 3 }, () => resumed.step(batch).loss);
    expect(lossesResumed).toBeAllclose(lossesStraight.slice(3), { rtol: 1e-6, atol: 0 });
    // without the state, Adam restarts and the steps differ
    const fresh = trainer({ model: charModel(config), params: ck.params, learningRate: 0.02 });
    expect(Math.abs(fresh.step(batch).loss - lossesStraight[3])).toBeLessThan(1e-6); // same start
    expect(Math.abs(fresh.step(batch).loss - lossesStraight[4])).toBeGreaterThan(1e-4);
    disposeAll(state, ck.params, ck.optimizer, batch);
    for (const t of [straight, first, resumed, fresh]) t.dispose();
  });

  it("names a missing or damaged checkpoint", () => {
    const dir = tempDir();
    expect(() => loadCheckpoint(dir)).toThrow(/checkpoint\.json does not exist/);
    const w = tf.ones([2, 3]);
    saveCheckpoint(dir, { w }, {});
    const file = join(
      dir,
      JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8")).weights.file,
    );
    writeFileSync(file, readFileSync(file).subarray(0, 8));
    expect(() => loadCheckpoint(dir)).toThrow(/weights-[0-9a-f]{16}\.bin is damaged \(8 bytes/);
    const bad = tf.tensor1d([NaN]);
    expect(() => saveCheckpoint(dir, { w: bad })).toThrow(
      "saveCheckpoint: w holds NaN or infinite values",
    );
    disposeAll(w, bad);
  });
});

describe("checkpoints: rejected optimizer state", () => {
  checkLeaks(); //                            a rejected state frees the trainer's variables
  it("rejects optimizer state that does not fit, and asks for adam", () => {
    const m = charModel({ cell: "lstm", hiddenSize: 4, layers: 1, vocabSize: 3 });
    const wrong = tf.zeros([1]);
    expect(() =>
      trainer({ model: m, optimizerState: { iterations: 2, slots: { Wx: wrong } } }),
    ).toThrow(/optimizer state: Wx\/m must be a \[3, 16\] tensor \(got nothing\)/);
    wrong.dispose();
    const sgd = trainer({ model: m, optimizer: "sgd" });
    expect(() => sgd.optimizerState()).toThrow(/kept for adam only \(this trainer uses sgd\)/);
    sgd.dispose();
  });
});
