/** The CMU Pronouncing Dictionary as G2P pairs (src/datasets/cmudict.ts). */
import { describe, expect, it } from "vitest";
import { checkWord, g2pSplit, G2P_ALPHABET, loadCmudict } from "../../src/datasets/cmudict";
import type { G2PEntry } from "../../src/datasets/cmudict";

const dict = loadCmudict();
const stressed = loadCmudict({ stress: true });
const entry = (d: typeof dict, w: string) => d.words.find((e) => e.word === w);

describe("loadCmudict", () => {
  it("plausible counts: 133,784 lines, 8,779 alternates, 120k–126k headwords kept", () => {
    expect(dict.words.length).toBeGreaterThan(120000);
    expect(dict.words.length).toBeLessThan(126000);
    expect(dict.dropped).toBeGreaterThan(0);
    // every headword of the file is either kept or dropped; at most 133,784 − 8,779 of them
    expect(dict.words.length + dict.dropped).toBeLessThanOrEqual(133784 - 8779);
    const prons = stressed.words.reduce((n, e) => n + e.prons.length, 0);
    expect(prons).toBeGreaterThan(dict.words.length);
    expect(prons).toBeLessThanOrEqual(133784);
  });

  it("headwords lower-case, sorted, unique, only a–z and apostrophe", () => {
    const ws = dict.words.map((e) => e.word);
    expect(ws.filter((w) => !/^[a-z']+$/.test(w))).toEqual([]);
    expect(ws).toEqual([...ws].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(ws).size).toBe(ws.length);
    expect(entry(dict, "aaron's")?.prons).toEqual([["EH", "R", "AH", "N", "Z"]]);
    for (const w of ["a.", "ad-hoc", "air_force", "a42128"]) expect(entry(dict, w)).toBeUndefined();
  });

  it("alternates grouped under their headword, (n) stripped", () => {
    expect(entry(dict, "read")?.prons).toEqual([
      ["R", "EH", "D"],
      ["R", "IY", "D"],
    ]);
    expect(dict.words.some((e) => e.word.includes("("))).toBe(false);
  });

  it("stress stripped by default (39 symbols), kept on request, merged duplicates once", () => {
    expect(dict.phonemes.length).toBe(39);
    expect(dict.phonemes).toContain("AH");
    for (const p of dict.phonemes) expect(p).toMatch(/^[A-Z]+$/);
    expect(stressed.phonemes).toContain("AH0");
    expect(stressed.phonemes.every((p) => /^[A-Z]+[0-2]?$/.test(p))).toBe(true);
    expect(stressed.phonemes.length).toBeGreaterThan(60);
    expect(entry(stressed, "aaron's")?.prons).toEqual([["EH1", "R", "AH0", "N", "Z"]]);
    const repeated = dict.words.filter(
      (e) => new Set(e.prons.map((p) => p.join(" "))).size !== e.prons.length,
    );
    expect(repeated).toEqual([]);
    // some words had alternates differing only in stress: fewer pronunciations without it
    const count = (d: typeof dict) => d.words.reduce((n, e) => n + e.prons.length, 0);
    expect(count(dict)).toBeLessThan(count(stressed));
    expect(dict.words.length).toBe(stressed.words.length);
  });
});

describe("g2pSplit", () => {
  const split = g2pSplit(dict.words, { seed: 7 });

  it("disjoint by headword, covering every word, sizes by the fractions", () => {
    const [tr, va, te] = [split.train, split.valid, split.test].map((p) => p.map((e) => e.word));
    const all = [...tr, ...va, ...te];
    expect(all.length).toBe(dict.words.length);
    expect(new Set(all).size).toBe(dict.words.length);
    const n = dict.words.length;
    expect(te.length).toBe(Math.round(n * 0.1));
    expect(va.length).toBe(Math.round(n * 0.05));
    // whole entries move: a test word keeps all its pronunciations
    const read = [split.train, split.valid, split.test].flat().find((e) => e.word === "read");
    expect(read?.prons.length).toBe(2);
  });

  it("seeded: the same seed the same split, another seed another", () => {
    const words = (p: G2PEntry[]) => p.map((e) => e.word);
    expect(words(g2pSplit(dict.words, { seed: 7 }).test)).toEqual(words(split.test));
    expect(words(g2pSplit(dict.words, { seed: 8 }).test)).not.toEqual(words(split.test));
    const s = g2pSplit(dict.words.slice(0, 1000), {
      seed: 1,
      validFraction: 0.2,
      testFraction: 0.3,
    });
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([500, 200, 300]);
  });

  it("refuses bad fractions, a missing seed and a repeated word", () => {
    const w = dict.words.slice(0, 10);
    expect(() => g2pSplit(w, { seed: 1, testFraction: 0 })).toThrow(
      "g2pSplit: testFraction must be a fraction in (0, 1) (got 0)",
    );
    expect(() => g2pSplit(w, { seed: 1, validFraction: 1.5 })).toThrow(
      "g2pSplit: validFraction must be a fraction in (0, 1) (got 1.5)",
    );
    expect(() => g2pSplit(w, { seed: 1, validFraction: 0.5, testFraction: 0.5 })).toThrow(
      "leaves no training words; make their sum less than 1",
    );
    expect(() => g2pSplit(w, { seed: NaN })).toThrow("g2pSplit: seed must be a number");
    expect(() => g2pSplit([w[0], w[0]], { seed: 1 })).toThrow(`"${w[0].word}" appears twice`);
  });
});

describe("checkWord", () => {
  it("trims and lower-cases a good word", () => {
    expect(checkWord("  Aaron's ")).toBe("aaron's");
    expect(G2P_ALPHABET).toBe("abcdefghijklmnopqrstuvwxyz'");
  });

  it("refuses an empty word and characters outside the alphabet, naming them", () => {
    expect(() => checkWord("   ")).toThrow("checkWord: the word is empty");
    const message = `checkWord: "héllo" has "é" outside the alphabet a–z and '; `;
    expect(() => checkWord("héllo")).toThrow(message + "spell the word with those letters");
    expect(() => checkWord("ad-hoc 2")).toThrow(`has "-", " ", "2" outside the alphabet`);
  });
});
