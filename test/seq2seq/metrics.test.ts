/** Edit distance, alignments, WER/PER and confusions (src/seq2seq/metrics.ts). */
import { describe, expect, it } from "vitest";
import { alignment, confusions, editDistance, errorRates } from "../../src/seq2seq/metrics";
import { rng } from "../../src/init";

const chars = (s: string) => [...s];

describe("editDistance", () => {
  it("hand cases", () => {
    expect(editDistance([], [])).toBe(0);
    expect(editDistance(chars("kitten"), chars("sitting"))).toBe(3);
    expect(editDistance(chars("flaw"), chars("lawn"))).toBe(2);
    expect(editDistance(chars("same"), chars("same"))).toBe(0);
    expect(editDistance(chars(""), chars("abc"))).toBe(3); //           insert only
    expect(editDistance(chars("abcd"), chars(""))).toBe(4); //          delete only
    expect(editDistance(chars("abc"), chars("axbyc"))).toBe(2);
    expect(editDistance(["AH", "B"], ["AH", "P"])).toBe(1);
  });

  it("symmetric, and alignment ops reproduce it on random pairs", () => {
    const u = rng(3);
    const word = () =>
      Array.from({ length: Math.floor(u() * 8) }, () => "abc"[Math.floor(u() * 3)]);
    for (let k = 0; k < 200; k++) {
      const [a, b] = [word(), word()];
      const d = editDistance(a, b);
      expect(editDistance(b, a)).toBe(d);
      const ops = alignment(a, b);
      expect(ops.filter((o) => o.op !== "match").length).toBe(d);
      // the ops replay: ref tokens in order give a, hyp tokens give b
      expect(ops.flatMap((o) => (o.op === "ins" ? [] : [o.ref]))).toEqual(a);
      expect(ops.flatMap((o) => (o.op === "del" ? [] : [o.hyp]))).toEqual(b);
      for (const o of ops) if (o.op === "sub") expect(o.ref).not.toBe(o.hyp);
    }
  });
});

describe("alignment", () => {
  it("kitten → sitting: sub k/s, sub e/i, ins g", () => {
    expect(alignment(chars("kitten"), chars("sitting"))).toEqual([
      { op: "sub", ref: "k", hyp: "s" },
      { op: "match", ref: "i", hyp: "i" },
      { op: "match", ref: "t", hyp: "t" },
      { op: "match", ref: "t", hyp: "t" },
      { op: "sub", ref: "e", hyp: "i" },
      { op: "match", ref: "n", hyp: "n" },
      { op: "ins", hyp: "g" },
    ]);
    expect(alignment(chars("ab"), [])).toEqual([
      { op: "del", ref: "a" },
      { op: "del", ref: "b" },
    ]);
    expect(alignment([], [])).toEqual([]);
  });
});

const READ = [
  ["R", "EH", "D"],
  ["R", "IY", "D"],
];

describe("errorRates", () => {
  it("a word is correct when it matches any reference, here the second", () => {
    const r = errorRates([["R", "IY", "D"]], [READ]);
    expect(r).toEqual({ wer: 0, per: 0, words: 1, phonemeErrors: 0, referencePhonemes: 3 });
  });

  it("PER against each word's closest reference (ties → the shorter)", () => {
    const preds = [
      ["R", "IY", "D"], //                       correct (second reference)
      ["K", "AE", "T", "S"], //                  1 error against K AE T
      ["T", "AH"], //                            ties: T AH M (1) vs T (1) → the shorter, T
    ];
    const refs = [READ, [["K", "AE", "T"]], [["T", "AH", "M"], ["T"]]];
    const r = errorRates(preds, refs);
    expect(r.words).toBe(3);
    expect(r.wer).toBeCloseTo(2 / 3, 12);
    expect(r.phonemeErrors).toBe(2);
    expect(r.referencePhonemes).toBe(3 + 3 + 1);
    expect(r.per).toBeCloseTo(2 / 7, 12);
  });

  it("refuses mismatched lengths, no words, a word with no reference", () => {
    expect(() => errorRates([["A"]], [])).toThrow(
      "errorRates: 1 predictions but 0 reference lists; give one of each per word",
    );
    expect(() => errorRates([], [])).toThrow("errorRates: no words");
    expect(() => errorRates([["A"], ["B"]], [[["A"]], []])).toThrow(
      "errorRates: word 1 has no reference pronunciation; give at least one",
    );
    expect(() => errorRates([["A"]], [[[]]])).toThrow("references[0][0] is empty");
  });
});

describe("confusions", () => {
  it("counts subs, deletions and insertions against the closest reference, sorted", () => {
    const preds = [
      ["R", "IY", "T"], //         vs R IY D: D→T
      ["K", "AA", "T"], //         vs K AE T: AE→AA
      ["K", "AA", "T", "S"], //    vs K AE T: AE→AA, ins S
      ["B", "D"], //               vs B AE D: del AE
      ["D", "AA"], //              vs D AE: AE→AA
    ];
    const refs = [READ, [["K", "AE", "T"]], [["K", "AE", "T"]], [["B", "AE", "D"]], [["D", "AE"]]];
    expect(confusions(preds, refs)).toEqual([
      { ref: "AE", hyp: "AA", count: 3 },
      { ref: "", hyp: "S", count: 1 },
      { ref: "AE", hyp: "", count: 1 },
      { ref: "D", hyp: "T", count: 1 },
    ]);
    expect(confusions(preds, refs, { top: 2 })).toEqual([
      { ref: "AE", hyp: "AA", count: 3 },
      { ref: "", hyp: "S", count: 1 },
    ]);
    expect(confusions([["R", "IY", "D"]], [READ])).toEqual([]);
    expect(() => confusions(preds, refs, { top: 0 })).toThrow(
      "confusions: top must be a positive integer (got 0)",
    );
    expect(() => confusions([["A"]], [[]])).toThrow("confusions: word 0 has no reference");
  });
});
