/**
 * Parity with tf.layers given identical weights (outputs within 1e-5), and parameter counts
 * equal to tf.layers' countParams. tf.layers defaults to recurrentActivation "hardSigmoid",
 * so "sigmoid" is set; its GRU is reset-before (it rejects resetAfter).
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { countParams } from "../src/cells/cell";
import { gru, lstm } from "../src/cells";
import { simpleRNN } from "../src/cells/simple";
import { bidirectional, MERGE_MODES, MergeMode } from "../src/compose";
import { Layer, Params } from "../src/layer";
import { unroll } from "../src/scan";
import { randSeq } from "./gradcheck";
import { checkLeaks } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const [T, B, D, H] = [7, 3, 5, 4];

interface Case {
  ours: () => Layer;
  theirs: () => tf.layers.Layer;
  /** Our parameters in tf.layers' weight order. */
  weights: (p: Params) => tf.Tensor[];
}

const uni: Record<string, Case> = {
  simpleRNN: {
    ours: () => unroll(simpleRNN({ inputSize: D, hiddenSize: H })),
    theirs: () => tf.layers.simpleRNN({ units: H, returnSequences: true }),
    weights: (p) => [p.Wxh, p.Whh, p.bh],
  },
  lstm: {
    ours: () => unroll(lstm({ inputSize: D, hiddenSize: H })),
    theirs: () =>
      tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: "sigmoid" }),
    weights: (p) => [p.Wx, p.Wh, p.b],
  },
  "gru (reset before)": {
    ours: () => unroll(gru({ inputSize: D, hiddenSize: H, resetAfter: false })),
    theirs: () =>
      tf.layers.gru({ units: H, returnSequences: true, recurrentActivation: "sigmoid" }),
    weights: (p) => [p.Wx, tf.concat([p.Whzr, p.Whn], 1), p.b],
  },
};

function compare(
  ours: Layer,
  theirs: tf.layers.Layer,
  weights: (p: Params) => tf.Tensor[],
  seed: number,
) {
  tf.tidy(() => {
    const p = ours.init(seed);
    const xs = randSeq(T, B, D, seed + 1);
    const x3 = tf.stack(xs, 1); //                        [B, T, D]
    theirs.apply(x3); //                                  builds the layer
    theirs.setWeights(weights(p));
    const y3 = theirs.apply(x3) as tf.Tensor; //          [B, T, out]
    const pass = ours.forward(p, xs);
    const mine = tf.stack(pass.ys, 1);
    expect(mine.shape).toEqual(y3.shape);
    expect(mine, ours.name).toBeAllclose(y3, { rtol: 0, atol: 1e-5 });
    expect(countParams(ours.shapes)).toBe(theirs.countParams());
    pass.dispose();
    theirs.dispose();
  });
}

describe("parity with tf.layers", () => {
  it.each(Object.entries(uni))("%s: same outputs and parameter count", (_n, c) => {
    compare(c.ours(), c.theirs(), c.weights, 3);
  });

  it.each(MERGE_MODES)("bidirectional lstm, merge %s", (merge: MergeMode) => {
    const c = uni.lstm;
    const ours = bidirectional(c.ours(), c.ours(), { merge });
    const theirs = tf.layers.bidirectional({ layer: c.theirs() as tf.RNN, mergeMode: merge });
    const weights = (p: Params) => [
      p["fw.Wx"],
      p["fw.Wh"],
      p["fw.b"],
      p["bw.Wx"],
      p["bw.Wh"],
      p["bw.b"],
    ];
    compare(ours, theirs, weights, 4);
  });
});
