/** The encoder–decoder (src/seq2seq/model.ts): hand BPTT through decoder, bridge, attention, encoder. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { disposeAll, Params } from "../../src/layer";
import { relativeError } from "../../src/gradcheck";
import { pairBatch, Pair } from "../../src/seq2seq/batches";
import {
  initSeq2Seq,
  seq2seq,
  Seq2Seq,
  Seq2SeqBatch,
  seq2seqLoss,
  seq2seqLossAndGrads,
} from "../../src/seq2seq/model";
import { checkLeaks } from "../helpers";

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
  seq2seq({ sourceVocab: 7, targetVocab: 9, embedSize: 3, hiddenSize: 4, decoderSize: 5, attentionSize: 4, ...o });

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
