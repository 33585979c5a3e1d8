/** Decoding (src/seq2seq/decode.ts): greedy, beam search, free running; G2P save and load. */
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { disposeAll, Params } from "../../src/layer";
import { pairBatch } from "../../src/seq2seq/batches";
import { beamSearch, freeRunningLoss, greedyDecode } from "../../src/seq2seq/decode";
import { g2pVocab, loadG2P, saveG2P } from "../../src/seq2seq/g2p";
import { initSeq2Seq, seq2seq, Seq2Seq, seq2seqLossAndGrads } from "../../src/seq2seq/model";
import { saveCheckpoint } from "../../src/checkpoint";
import { checkLeaks } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const sources = [[3, 1, 4, 1, 5], [2, 6], [6, 6, 2, 5], [1], [5, 4, 3, 2, 1, 6]];

/** A random model whose output distributions are far from uniform (so decisions differ). */
function sharp(attention: "general" | "none" = "general"): { m: Seq2Seq; p: Params } {
  const m = seq2seq({ sourceVocab: 7, targetVocab: 9, embedSize: 6, hiddenSize: 8, attention });
  const p0 = initSeq2Seq(m, 9);
  const p = tf.tidy(() =>
    Object.fromEntries(
      Object.entries(p0).map(([k, v]) => [k, k === "out.Wo" ? tf.mul(v, 6) : tf.clone(v)]),
    ),
  );
  disposeAll(p0);
  return { m, p };
}

/** −log p(tokens, <eos> | source) by teacher forcing (the training loss × target length). */
function teacherLogProb(m: Seq2Seq, p: Params, src: number[], tokens: number[]): number {
  const batch = pairBatch([{ src, tgt: tokens }]);
  const r = seq2seqLossAndGrads(m, p, batch);
  disposeAll(batch, r.grads);
  return -r.loss * (tokens.length + 1);
}

describe.each(["general", "none"] as const)("decoding (attention %s)", (attention) => {
  it("beam search with k = 1 equals greedy decoding", () => {
    const { m, p } = sharp(attention);
    const g = greedyDecode(m, p, sources, { maxLength: 12 });
    const b = beamSearch(m, p, sources, { beam: 1, maxLength: 12 });
    expect(b.map((h) => h[0].tokens)).toEqual(g.map((h) => h.tokens));
    b.forEach((h, n) => expect(h[0].logProb).toBeCloseTo(g[n].logProb, 4));
    expect(g.some((h) => h.tokens.length > 1)).toBe(true); //         a real decision was taken
    disposeAll(p);
  });

  it("each hypothesis' log-probability is the teacher-forced one; n-best sorted by score", () => {
    const { m, p } = sharp(attention);
    const nbest = beamSearch(m, p, sources, { beam: 4, maxLength: 10 });
    nbest.forEach((hyps, n) => {
      expect(hyps.length).toBe(4);
      for (let i = 1; i < hyps.length; i++)
        expect(hyps[i - 1].score).toBeGreaterThanOrEqual(hyps[i].score);
      const distinct = new Set(hyps.map((h) => h.tokens.join()));
      expect(distinct.size).toBe(hyps.length);
      for (const h of hyps.filter((x) => x.finished && x.tokens.length > 0)) {
        expect(h.tokens.every((v) => v > 2)).toBe(true); //        no <pad>, <bos>, <eos> inside
        expect(h.logProb).toBeCloseTo(teacherLogProb(m, p, sources[n], h.tokens), 3);
        expect(h.score).toBeCloseTo(h.logProb / (h.tokens.length + 1), 6);
      }
    });
    disposeAll(p);
  });
});

describe("decoding", () => {
  it("beam search finds a sequence at least as probable as greedy's (raw log p, α = 0)", () => {
    const { m, p } = sharp();
    const g = greedyDecode(m, p, sources, { maxLength: 12 });
    const b = beamSearch(m, p, sources, { beam: 5, maxLength: 12, lengthPenalty: 0 });
    b.forEach((h, n) => {
      expect(g[n].finished, `greedy finished source ${n}`).toBe(true); //   a sharp model stops
      expect(h[0].logProb).toBeGreaterThanOrEqual(g[n].logProb - 1e-5);
    });
    disposeAll(p);
  });

  it("attention weights: one row per written step, a distribution over the real letters", () => {
    const { m, p } = sharp();
    const g = greedyDecode(m, p, sources, { maxLength: 12 });
    const Ts = Math.max(...sources.map((s) => s.length));
    g.forEach((h, n) => {
      expect(h.attention!.length).toBe(h.tokens.length + (h.finished ? 1 : 0));
      for (const row of h.attention!) {
        expect(row.length).toBe(Ts);
        const real = Array.from(row.slice(0, sources[n].length));
        expect(real.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(Array.from(row.slice(sources[n].length)).every((v) => v === 0)).toBe(true);
      }
    });
    disposeAll(p);
  });

  it("free-running loss ≥ 0 and equals teacher forcing where greedy writes the reference", () => {
    const { m, p } = sharp();
    const g = greedyDecode(m, p, sources.slice(0, 2), { maxLength: 12 });
    const batch = pairBatch(
      sources.slice(0, 2).map((src, n) => ({ src, tgt: g[n].tokens.length ? g[n].tokens : [3] })),
    );
    const free = freeRunningLoss(m, p, batch);
    const tf_ = seq2seqLossAndGrads(m, p, batch);
    expect(g.every((h) => h.finished && h.tokens.length > 0)).toBe(true);
    expect(free).toBeCloseTo(tf_.loss, 4);
    expect(free).toBeGreaterThan(0);
    disposeAll(p, batch, tf_.grads);
  });

  it("bad options get one-line errors naming the value and the fix", () => {
    const { m, p } = sharp();
    expect(() => beamSearch(m, p, sources, { beam: 0 })).toThrow(
      /beam must be an integer ≥ 1 \(got 0\); k = 1 is greedy/,
    );
    expect(() => greedyDecode(m, p, sources, { maxLength: 0 })).toThrow(
      /maxLength must be an integer ≥ 1 \(got 0\)/,
    );
    expect(() => beamSearch(m, p, sources, { beam: 2, nBest: 3 })).toThrow(
      /nBest \(3\) cannot exceed/,
    );
    expect(() => beamSearch(m, p, sources, { lengthPenalty: -1 })).toThrow(/lengthPenalty must be/);
    expect(() => greedyDecode(m, p, [[]])).toThrow(/source 0 is empty/);
    expect(() => greedyDecode(m, p, [[1, 9]])).toThrow(/source 0 has an id outside 1..6/);
    disposeAll(p);
  });
});

describe("G2P", () => {
  const vocab = g2pVocab(["AA", "B", "K", "S"]);

  it("vocabularies: letters and phonemes both ways; bad words get one-line errors", () => {
    expect(vocab.encodeWord(" Abba's ")).toEqual([1, 2, 2, 1, 27, 19]);
    expect(vocab.encodePron(["B", "AA", "S"])).toEqual([4, 3, 6]);
    expect(vocab.decode([4, 3, 2, 5])).toEqual(["B", "AA"]); //        nothing past <eos>
    expect(() => vocab.encodeWord("")).toThrow(/the word is empty/);
    expect(() => vocab.encodeWord("naïve")).toThrow(/"ï" outside the alphabet/);
    expect(() => vocab.encodePron(["ZZ"])).toThrow(/"ZZ" is not one of the 4 phoneme symbols/);
  });

  it("saveG2P / loadG2P: the loaded model gives the same n-best; other checkpoints refused", () => {
    const m = seq2seq({ sourceVocab: 28, targetVocab: 7, embedSize: 4, hiddenSize: 6 });
    const p = initSeq2Seq(m, 3);
    const dir = mkdtempSync(join(tmpdir(), "g2p-"));
    try {
      saveG2P(dir, m, p, vocab);
      const g = loadG2P(dir);
      const src = vocab.encodeWord("abs");
      const ref = beamSearch(m, p, [src], { beam: 3, nBest: 3 })[0];
      const got = g.g2p("ABS", { beam: 3, nBest: 3 });
      expect(got.map((h) => h.phonemes)).toEqual(ref.map((h) => vocab.decode(h.tokens)));
      expect(() => g.g2p("a b")).toThrow(/" " outside the alphabet/);
      g.dispose();
      const other = join(dir, "other");
      const w = tf.zeros([1]);
      saveCheckpoint(other, { w }, { kind: "char-model" });
      w.dispose();
      expect(() => loadG2P(other)).toThrow(/is not a G2P checkpoint/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      disposeAll(p);
    }
  });
});
