/**
 * The minimal gated unit (src/cells/mgu.ts), the cell added in one file plus one catalog line:
 * its step against the three equations of Zhou et al. (2016) computed here in float64, and a
 * whole model of every catalog cell, MGU included, trained, checkpointed and resumed.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { CELLS, mgu } from "../../src/cells";
import { loadCheckpoint, saveCheckpoint } from "../../src/checkpoint";
import { disposeAll } from "../../src/layer";
import { tfOps } from "../../src/ops";
import { textBatch, textLayout } from "../../src/text/batches";
import { charModel } from "../../src/text/charmodel";
import { vocabulary } from "../../src/text/vocab";
import { trainer } from "../../src/train";
import { randn } from "../gradcheck";
import { checkLeaks, tempDir } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

/** Row-major [r, c] values of a tensor as float64 rows. */
const rows = (t: tf.Tensor) => t.arraySync() as number[][];
const sigma = (a: number) => 1 / (1 + Math.exp(-a));

describe("mgu", () => {
  it("one step is f = σ(x W_f + h U_f + b_f), ĥ = tanh(x W_h + (f ⊙ h) U_h + b_h), h' = (1 − f) h + f ĥ", () => {
    const [B, D, H] = [2, 3, 4];
    const cell = mgu({ inputSize: D, hiddenSize: H });
    const p = cell.init(5);
    const b = tf.tidy(() => randn([2 * H], 6, 0.5)); //                    non-zero biases
    const x = randn([B, D], 7) as tf.Tensor2D;
    const h = randn([B, H], 8, 0.5) as tf.Tensor2D;
    const { next, cache } = tf.tidy(() => cell.step(tfOps, { ...p, b }, { h }, x));
    const [Wx, Uf, Uh, X, Hp] = [p.Wx, p.Uf, p.Uh, x, h].map(rows);
    const bv = Array.from(b.dataSync());
    const want = X.map((xr, r) => {
      const dot = (v: number[], M: number[][], j: number) =>
        v.reduce((s, vi, i) => s + vi * M[i][j], 0);
      const f = Array.from({ length: H }, (_, j) =>
        sigma(dot(xr, Wx, j) + dot(Hp[r], Uf, j) + bv[j]),
      );
      const fh = Hp[r].map((hj, j) => f[j] * hj);
      const n = Array.from({ length: H }, (_, j) =>
        Math.tanh(dot(xr, Wx, H + j) + dot(fh, Uh, j) + bv[H + j]),
      );
      return Hp[r].map((hj, j) => (1 - f[j]) * hj + f[j] * n[j]);
    });
    expect(next.h).toBeAllclose(want, { rtol: 1e-5, atol: 1e-6 });
    disposeAll(p, b, x, h, next, cache);
  });
});

describe.each(Object.keys(CELLS))("a model of %s cells", (cell) => {
  it("trains, saves a checkpoint with Adam's state and resumes exactly", () => {
    const dir = tempDir();
    const v = vocabulary("to be or not to be");
    const config = { cell, hiddenSize: 5, layers: 2, vocabSize: v.size };
    const ids = v.encode("to be or not to be ".repeat(3));
    const batch = textBatch(ids, textLayout(ids.length, { batch: 2, steps: 6 })[0], v.size);
    const opts = { model: charModel(config), seed: 3, learningRate: 0.02 };
    const straight = trainer(opts);
    const losses = Array.from({ length: 5 }, () => straight.step(batch).loss);
    expect(losses[4]).toBeLessThan(losses[0]);
    const first = trainer(opts);
    for (let i = 0; i < 3; i++) first.step(batch);
    const state = first.optimizerState();
    saveCheckpoint(dir, first.params, { config }, state);
    const ck = loadCheckpoint<{ config: typeof config }>(dir);
    const resumed = trainer({
      model: charModel(ck.meta.config),
      params: ck.params,
      learningRate: 0.02,
      optimizerState: ck.optimizer,
    });
    const after = Array.from({ length: 2 }, () => resumed.step(batch).loss);
    expect(after).toBeAllclose(losses.slice(3), { rtol: 1e-6, atol: 0 });
    disposeAll(state, ck.params, ck.optimizer, batch);
    for (const t of [straight, first, resumed]) t.dispose();
  });
});
