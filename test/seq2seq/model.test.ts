/** The encoder–decoder (src/seq2seq/model.ts): hand BPTT through decoder, bridge, attention, encoder. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { disposeAll, Params } from "../../src/layer";
import { randn, relativeError } from "../../src/gradcheck";
import { setFused } from "../../src/fast/policy";
import { trainer } from "../../src/train";
import { greedyDecode } from "../../src/seq2seq/decode";
import { pairBatch, Pair } from "../../src/seq2seq/batches";
import {
  initSeq2Seq,
  seq2seq,
  Seq2Seq,
  Seq2SeqBatch,
  seq2seqLoss,
  seq2seqLossAndGrads,
} from "../../src/seq2seq/model";
import { checkLeaks, EXACT } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const pairs: Pair[] = [
  { src: [3, 1, 4, 1, 5], tgt: [5, 3, 7] },
  { src: [2, 6], tgt: [4, 4, 6, 3, 8] },
  { src: [6, 6, 2, 5], tgt: [3] },
];
const small = (o: Partial<Parameters<typeof seq2seq>[0]> = {}) =>
  seq2seq({
    sourceVocab: 7,
    targetVocab: 9,
    embedSize: 3,
    hiddenSize: 4,
    decoderSize: 5,
    attentionSize: 4,
    ...o,
  });

/** Autodiff of seq2seqLoss (the oracle) for every parameter. */
function autodiffGrads(m: Seq2Seq, p: Params, batch: Seq2SeqBatch): Params {
  const names = Object.keys(p).sort();
  const g = tf.grads((...v: tf.Tensor[]) =>
    seq2seqLoss(m, Object.fromEntries(names.map((k, i) => [k, v[i]])), batch),
  )(names.map((k) => p[k]));
  return Object.fromEntries(names.map((k, i) => [k, g[i]]));
}

describe.each([
  ["lstm", "general"],
  ["lstm", "none"],
  ["gru", "general"],
] as const)("seq2seq(%s, attention %s)", (cell, attention) => {
  it("hand-written gradients = autodiff (≤ 1e-4 relative) for every parameter", () => {
    const m = small({ cell, attention });
    const p = initSeq2Seq(m, 3);
    const batch = pairBatch(pairs);
    const ours = seq2seqLossAndGrads(m, p, batch);
    const ref = autodiffGrads(m, p, batch);
    expect(Object.keys(ours.grads).sort()).toEqual(Object.keys(ref).sort());
    for (const k of Object.keys(ref)) {
      const e = relativeError(ours.grads[k].dataSync(), ref[k].dataSync());
      expect(e, k).toBeLessThanOrEqual(1e-4);
    }
    const L = seq2seqLoss(m, p, batch);
    expect(ours.loss).toBeCloseTo(L.dataSync()[0], 5);
    disposeAll(ours.grads, ref, p, batch, L);
  });
});

/** A seeded random direction u over every parameter. */
const direction = (p: Params, seed: number): Params =>
  Object.fromEntries(Object.keys(p).map((k, i) => [k, randn(p[k].shape, seed + i)]));
const shifted = (p: Params, u: Params, eps: number): Params =>
  tf.tidy(() =>
    Object.fromEntries(Object.keys(p).map((k) => [k, tf.add(p[k], tf.mul(u[k], eps))])),
  );

describe("seq2seq", () => {
  it("the gradient's directional derivative = central finite differences (≤ 1e-3)", () => {
    const m = small();
    const p = initSeq2Seq(m, 5);
    const batch = pairBatch(pairs);
    const { grads } = seq2seqLossAndGrads(m, p, batch);
    const u = direction(p, 11);
    const eps = 1e-2;
    const [pp, pm] = [shifted(p, u, eps), shifted(p, u, -eps)];
    const [Lp, Lm] = [seq2seqLoss(m, pp, batch), seq2seqLoss(m, pm, batch)];
    const numeric = (Lp.dataSync()[0] - Lm.dataSync()[0]) / (2 * eps);
    const analytic = Object.keys(p).reduce(
      (s, k) => s + tf.tidy(() => tf.sum(tf.mul(grads[k], u[k])).dataSync()[0]),
      0,
    );
    expect(Math.abs(numeric - analytic) / Math.abs(analytic)).toBeLessThan(1e-3);
    disposeAll(p, batch, grads, u, pp, pm, Lp, Lm);
  });

  it("padded target steps, decoder inputs and source letters change nothing", () => {
    const m = small();
    const p = initSeq2Seq(m, 2);
    const batch = pairBatch(pairs);
    const a = seq2seqLossAndGrads(m, p, batch);
    // overwrite every padded position with real ids: targets, decoder inputs and source letters
    const fill = (t: tf.Tensor2D, mask: tf.Tensor2D, v: number) =>
      tf.tidy(() => tf.add(tf.mul(t, mask), tf.mul(tf.sub(1, mask), v)) as tf.Tensor2D);
    const decMask = (t: number) => tf.slice(batch.tgtMask, [0, t], [-1, 1]) as tf.Tensor2D;
    const srcMask = (t: number) => tf.slice(batch.srcMask, [0, t], [-1, 1]) as tf.Tensor2D;
    const masks = [...batch.decIn.map((_, t) => decMask(t)), ...batch.xs.map((_, t) => srcMask(t))];
    const changed = {
      ...batch,
      targets: fill(batch.targets, batch.tgtMask, 7),
      decIn: batch.decIn.map((x, t) => fill(x, masks[t], 5)),
      xs: batch.xs.map((x, t) => fill(x, masks[batch.decIn.length + t], 3)),
    };
    const b = seq2seqLossAndGrads(m, p, changed);
    expect(b.loss).toBe(a.loss);
    for (const k of Object.keys(a.grads)) expect(b.grads[k], k).toBeAllclose(a.grads[k], EXACT);
    disposeAll(p, batch, a.grads, b.grads, masks, changed.targets, changed.decIn, changed.xs);
  });

  it("fast path = reference ops (loss and every gradient)", () => {
    const m = seq2seq({ sourceVocab: 7, targetVocab: 9, embedSize: 8, hiddenSize: 8 });
    const p = initSeq2Seq(m, 4);
    const batch = pairBatch(pairs);
    const fast = seq2seqLossAndGrads(m, p, batch);
    setFused(false);
    let ref: ReturnType<typeof seq2seqLossAndGrads>;
    try {
      ref = seq2seqLossAndGrads(m, p, batch);
    } finally {
      setFused(true);
    }
    expect(fast.loss).toBeCloseTo(ref.loss, 5);
    for (const k of Object.keys(ref.grads))
      expect(fast.grads[k], k).toBeAllclose(ref.grads[k], { rtol: 1e-4, atol: 1e-6 });
    disposeAll(p, batch, fast.grads, ref.grads);
  });

  it("the trainer learns a small copy task and keeps numTensors flat", () => {
    const m = seq2seq({ sourceVocab: 7, targetVocab: 9, embedSize: 8, hiddenSize: 16 });
    const tr = trainer({ model: m, seed: 1, learningRate: 1e-2, clipNorm: 5 });
    const copy: Pair[] = [
      [1, 2, 3],
      [4, 5],
      [6, 1, 2, 5],
      [3, 3],
      [2, 6, 4],
    ].map((s) => ({
      src: s,
      tgt: s.map((v) => v + 2),
    }));
    const batch = pairBatch(copy);
    const first = tr.step(batch).loss;
    tr.step(batch); //                       Adam's moments and the rollback snapshot now exist
    const n0 = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 80; i++) last = tr.step(batch).loss;
    expect(tf.memory().numTensors).toBe(n0);
    expect(last).toBeLessThan(first / 10);
    const out = greedyDecode(
      m,
      tr.params,
      copy.map((q) => q.src),
      { maxLength: 8 },
    );
    expect(out.map((h) => h.tokens)).toEqual(copy.map((q) => q.tgt));
    tr.dispose();
    disposeAll(batch);
  });

  it("bad options and batches get one-line errors naming the value", () => {
    const base = { sourceVocab: 7, targetVocab: 9 };
    expect(() => seq2seq({ ...base, hiddenSize: 0 })).toThrow(
      /hiddenSize must be a positive integer \(got 0\)/,
    );
    expect(() => seq2seq({ ...base, targetVocab: 3 })).toThrow(/targetVocab must be at least 4/);
    // @ts-expect-error a cell that is not offered
    expect(() => seq2seq({ ...base, cell: "mgu" })).toThrow(/cell must be "lstm" or "gru"/);
    // @ts-expect-error an unknown attention
    expect(() => seq2seq({ ...base, attention: "dot" })).toThrow(
      /attention must be "general" or "none"/,
    );
    expect(() => pairBatch([])).toThrow(/non-empty array/);
    expect(() => pairBatch([{ src: [1], tgt: [2] }])).toThrow(/target id below 3/);
    expect(() => pairBatch([{ src: [0, 1], tgt: [3] }])).toThrow(
      /source id that is not a positive/,
    );
    const m = small();
    const p = initSeq2Seq(m, 1);
    const batch = pairBatch(pairs);
    const bad = { ...batch, targets: tf.zeros([2, 2]) as tf.Tensor2D };
    expect(() => seq2seqLossAndGrads(m, p, bad)).toThrow(/targets must be \[3, 6\]/);
    expect(() => trainer({ model: m, stateful: true })).toThrow(/not stateful/);
    disposeAll(p, batch, bad.targets);
  });
});
