/** Metrics, naive Bayes, logistic regression, word tokens and token batches, on hand cases. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { accuracy, classScores, confusionMatrix } from "../../src/classify/metrics";
import { logisticRegression } from "../../src/classify/logreg";
import { naiveBayes } from "../../src/classify/naive-bayes";
import { tokenBatch } from "../../src/text/batches";
import { tokenVocabulary, wordTokens } from "../../src/text/words";
import { checkLeaks } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

describe("metrics", () => {
  // truth 1 1 1 0 0 0 0, predicted 1 1 0 1 0 0 0: TP 2, FP 1, FN 1
  const truth = [1, 1, 1, 0, 0, 0, 0];
  const pred = [1, 1, 0, 1, 0, 0, 0];
  it("accuracy, confusion, precision, recall and F1 by hand", () => {
    expect(accuracy(pred, truth)).toBeCloseTo(5 / 7, 12);
    expect(confusionMatrix(truth, pred, 2)).toEqual([
      [3, 1],
      [1, 2],
    ]);
    const s = classScores(truth, pred, 1);
    expect([s.precision, s.recall, s.f1, s.support]).toEqual([2 / 3, 2 / 3, 2 / 3, 3]);
    expect(classScores([0, 0], [0, 0], 1)).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });
  it("refuses lists of different lengths and labels outside the classes", () => {
    expect(() => accuracy([1], [1, 0])).toThrow("accuracy: needs as many predictions as labels");
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(
      "confusionMatrix: labels[1] is 3, outside the classes 0..2",
    );
  });
});

describe("naiveBayes", () => {
  it("the posterior of a hand-computed case", () => {
    // class 0: docs [0, 0, 1]; class 1: docs [2], [2, 1]; V = 3, α = 1
    const nb = naiveBayes([[0, 0, 1], [2], [2, 1]], [0, 1, 1], { vocabSize: 3 });
    // θ0 = (3, 2, 1)/6, θ1 = (1, 2, 3)/6, π = (1/3, 2/3); document [1, 2]
    const s0 = Math.log(1 / 3) + Math.log(2 / 6) + Math.log(1 / 6);
    const s1 = Math.log(2 / 3) + Math.log(2 / 6) + Math.log(3 / 6);
    const z = Math.log(Math.exp(s0) + Math.exp(s1));
    const lp = nb.logPosterior([1, 2]);
    expect(lp[0]).toBeCloseTo(s0 - z, 12);
    expect(lp[1]).toBeCloseTo(s1 - z, 12);
    expect(
      nb.predict([
        [1, 2],
        [0, 0],
      ]),
    ).toEqual([1, 0]);
    expect(() => naiveBayes([[5]], [0], { vocabSize: 3 })).toThrow(
      "document 0 holds id 5, outside the vocabulary 0..2",
    );
  });
});

describe("logisticRegression", () => {
  it("separates two clouds; frees its tensors", () => {
    const n = 200;
    const features = new Float32Array(n * 2);
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    labels.forEach((c, i) => {
      features[2 * i] = (c ? 2 : -2) + Math.sin(i);
      features[2 * i + 1] = Math.cos(3 * i);
    });
    const m = logisticRegression(
      { features, labels, width: 2, classes: 2 },
      { epochs: 30, learningRate: 0.05 },
    );
    expect(accuracy(m.predict({ features }), labels)).toBe(1);
    expect(m.losses[m.losses.length - 1]).toBeLessThan(m.losses[0]);
    m.dispose();
  });
});

describe("words", () => {
  it("tokens: lower case, placeholders, $ ! % on their own", () => {
    expect(wordTokens("WIN $1,000 now!! See http://x.co/a or mail a.b@c.org. Don't")).toEqual([
      "win",
      "$",
      "<num>",
      "now",
      "!",
      "!",
      "see",
      "<url>",
      "or",
      "mail",
      "<email>",
      "don't",
    ]);
  });
  it("a vocabulary by frequency after <pad> and <unk>; unknown tokens → 1; truncation", () => {
    const v = tokenVocabulary(
      [
        ["b", "a", "b"],
        ["c", "b", "a"],
      ],
      { minCount: 2 },
    );
    expect(v.tokens).toEqual(["<pad>", "<unk>", "b", "a"]);
    expect(v.encode(["a", "zzz", "b", "b"], { maxLength: 3 })).toEqual([3, 1, 2]);
    expect(() => tokenVocabulary([], { maxSize: 2 })).toThrow(
      "tokenVocabulary: maxSize must be an integer ≥ 3",
    );
  });
  it("tokenBatch pads with <pad> = 0 and masks the padding", () => {
    const b = tokenBatch([[5, 6, 7], [8]]);
    expect(b.lengths).toEqual([3, 1]);
    expect(b.xs.map((x) => Array.from(x.dataSync()))).toEqual([
      [5, 8],
      [6, 0],
      [7, 0],
    ]);
    expect(b.mask.arraySync()).toEqual([
      [1, 1, 1],
      [1, 0, 0],
    ]);
    tf.dispose([b.xs, b.mask]);
    expect(() => tokenBatch([[1], []])).toThrow("tokenBatch: sequence 1 is empty");
  });
});
