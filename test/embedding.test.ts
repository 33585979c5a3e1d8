/** Embeddings (src/embedding.ts): x_t = E[id_t] and its scatter-add gradient, for any layer. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { bidirectional } from "../src/compose";
import { dropout } from "../src/dropout";
import { embed } from "../src/embedding";
import { gradcheck } from "../src/gradcheck";
import { maskFromLengths } from "../src/mask";
import { initModel, lossAndGrads, model } from "../src/model";
import { unroll } from "../src/scan";
import { lstm, simpleRNN } from "../src/cells";
import { CELLS, D, H } from "./cells/catalog";
import { checkLeaks, EXACT, expectFusedMatchesReference } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const V = 7;
/** T steps [B, 1] of token ids (rows: sequences). */
const idSteps = (rows: number[][]) =>
  rows[0].map((_, t) =>
    tf.tensor2d(
      rows.map((r) => [r[t]]),
      [rows.length, 1],
    ),
  );
const ids = [
  [3, 1, 4, 1, 5],
  [2, 6, 0, 0, 0],
  [6, 6, 2, 5, 0],
];

describe.each(Object.entries(CELLS))("embed(%s)", (name, make) => {
  it("∂L/∂E and the layer's gradients = autodiff (≤ 1e-4) and finite differences (≤ 1e-3)", () => {
    const xs = idSteps(ids);
    const epsilon = name.includes("relu") ? 0.005 : 0.05;
    const layer = embed(unroll(make()), { vocabSize: V, scale: 0.5 });
    const r = gradcheck(layer, { xs, inputGrads: false, finiteDifferences: true, epsilon });
    expect(r.worst, r.worstName).toBeLessThanOrEqual(1e-4);
    expect(r.errors["dembed.E"]).toBeDefined();
    expect(r.finiteDifference).toBeLessThan(1e-3);
    tf.dispose(xs);
  });
});

describe("embed", () => {
  it("reads row id of E: the same outputs as the layer on E's rows", () => {
    const inner = unroll(lstm({ inputSize: D, hiddenSize: H }));
    const layer = embed(inner, { vocabSize: V });
    const p = layer.init(3);
    const xs = idSteps(ids);
    const column = (t: number) =>
      tf.tensor1d(
        ids.map((r) => r[t]),
        "int32",
      );
    const rows = ids[0].map((_, t) => tf.tidy(() => tf.gather(p["embed.E"], column(t))));
    const a = layer.forward(p, xs);
    const b = inner.forward(p, rows as tf.Tensor2D[]);
    a.ys.forEach((y, t) => expect(y).toBeAllclose(b.ys[t], EXACT));
    a.dispose();
    b.dispose();
    tf.dispose([p, xs, rows] as never);
  });

  it("with a mask, bidirectional and dropout: fast path = reference ops; <pad> gets no gradient", () => {
    const layer = embed(
      dropout(
        bidirectional(
          unroll(lstm({ inputSize: D, hiddenSize: H })),
          unroll(simpleRNN({ inputSize: D, hiddenSize: H })),
        ),
        { input: 0.2, recurrent: 0.2, output: 0.2 },
      ),
      { vocabSize: V },
    );
    const m = model({ layer, outputSize: 2, output: "mean" });
    const p = initModel(m, 2);
    const xs = idSteps(ids);
    const mask = maskFromLengths([5, 2, 4], 5); //                   id 0 only where padded
    const target = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    const run = () => lossAndGrads(m, p, { xs, target, mask }, { seed: 4 });
    const { fast, ref } = expectFusedMatchesReference(run);
    const dE = fast.grads["embed.E"].arraySync() as number[][];
    expect(dE[0].every((v) => v === 0)).toBe(true); //                         <pad> = 0
    expect(dE[3].some((v) => v !== 0)).toBe(true);
    tf.dispose([p, xs, mask, target, fast.grads, fast.carry, ref.grads, ref.carry] as never);
  });

  it.each([
    [7, "embed: xs[1] row 0 holds id 7, outside the vocabulary 0..6"],
    [-1, "embed: xs[1] row 0 holds id -1, outside the vocabulary 0..6"],
    [1.5, "embed: xs[1] row 0 holds id 1.5, outside the vocabulary 0..6"],
  ])("an id %d is refused in one line, nothing leaks", (bad, message) => {
    const layer = embed(unroll(lstm({ inputSize: D, hiddenSize: H })), { vocabSize: V });
    const p = layer.init(1);
    const xs = idSteps([[1, bad, 2]]);
    expect(() => layer.forward(p, xs)).toThrow(message);
    tf.dispose([p, xs] as never);
  });

  it("refuses a vocabulary below 2 and a bad scale", () => {
    const inner = unroll(lstm({ inputSize: D, hiddenSize: H }));
    expect(() => embed(inner, { vocabSize: 1 })).toThrow(
      "embed: vocabSize must be an integer ≥ 2 (got 1)",
    );
    expect(() => embed(inner, { vocabSize: 5, scale: 0 })).toThrow(
      "embed: scale must be a positive number (got 0)",
    );
  });
});
