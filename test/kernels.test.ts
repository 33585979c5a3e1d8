/**
 * The fast path (src/fast/: policy, kernels, projection, each cell's fast steps): the kernels' scalar math,
 * when the path is taken, and that it gives the reference path's outputs and gradients.
 * (The gradient checks in cells.test.ts also run it: their hand BPTT runs outside a tape,
 * fused, and their autodiff reference runs the reference ops under tf.grads.)
 */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { FusedAdam } from "../src/fast/adam";
import { exp, sigmoid, tanh } from "../src/fast/math";
import { fastPath, fastSteps, setFused } from "../src/fast/policy";
import { oneHotIds, project } from "../src/fast/projection";
import { splitRows } from "../src/fast/rows";
import { unroll } from "../src/scan";
import { softmaxCrossEntropy } from "../src/loss";
import { disposeAll, Grads, Layer, Pass } from "../src/layer";
import { CELLS } from "./cells/catalog";
import { lstm } from "../src/cells";
import { randCarry, randn, randSeq } from "./gradcheck";
import { checkLeaks, relError } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();
afterEach(() => setFused(true));

describe("scalar functions of the kernel loops", () => {
  it("exp is within 1e-9 relative of Math.exp over [−87, 87]; sigmoid and tanh follow", () => {
    let worst = 0;
    for (let x = -87; x <= 87; x += 0.001)
      worst = Math.max(worst, Math.abs(exp(x) / Math.exp(x) - 1));
    expect(worst).toBeLessThan(1e-9);
    for (const x of [-30, -5, -0.3, 0, 1e-4, 0.7, 4, 30]) {
      expect(Math.abs(sigmoid(x) - 1 / (1 + Math.exp(-x)))).toBeLessThan(1e-9);
      expect(Math.abs(tanh(x) - Math.tanh(x))).toBeLessThan(1e-9);
    }
  });

  it("saturates instead of overflowing", () => {
    expect(sigmoid(-1000)).toBeGreaterThanOrEqual(0);
    expect(sigmoid(-1000)).toBeLessThan(1e-30);
    expect(sigmoid(1000)).toBe(1);
    expect(tanh(1000)).toBe(1);
    expect(tanh(-1000)).toBe(-1);
  });
});

describe("when the fused path runs", () => {
  it("on wasm outside a gradient tape, and not when switched off", () => {
    expect(tf.getBackend()).toBe("wasm");
    expect(fastPath()).toBe(true);
    let inside = true;
    tf.tidy(() => {
      tf.grads((x: tf.Tensor) => {
        inside = fastPath();
        return tf.sum(x);
      })([tf.ones([2])]);
    });
    expect(inside).toBe(false);
    setFused(false);
    expect(fastPath()).toBe(false);
  });

  it("an LSTM training pass runs its fused kernels once per step in each direction", async () => {
    const layer = unroll(CELLS.lstm());
    const p = layer.init(1);
    const xs = randSeq(5, 3, 4, 1);
    const info = await tf.profile(() => {
      const pass = layer.forward(p, xs);
      const dys = pass.ys.map((y) => tf.onesLike(y));
      disposeAll(pass.backward(dys), dys);
      pass.dispose();
    });
    const count = (name: string) => info.kernels.filter((k) => k.name === name).length;
    expect(count("rnnwb.LstmStep")).toBe(5);
    expect(count("rnnwb.LstmBack")).toBe(5);
    disposeAll(p, xs);
  });
});

/** Forward and backward of a layer, with the fused path on or off. */
function run(layer: Layer, fusedOn: boolean, xs: tf.Tensor2D[], seed: number) {
  setFused(fusedOn);
  const p = layer.init(seed);
  const carry = randCarry(layer, xs[0].shape[0], seed + 1);
  const dys = randSeq(xs.length, xs[0].shape[0], layer.outputSize, seed + 2);
  const pass: Pass = layer.forward(p, xs, { carry });
  const ys = pass.ys.map((y) => y.dataSync().slice());
  const dCarry = randCarry(layer, xs[0].shape[0], seed + 3);
  const g: Grads = pass.backward(dys, { dCarry });
  pass.dispose();
  disposeAll(p, carry, dys, dCarry);
  return { ys, g };
}

const withFused = Object.entries(CELLS).filter(([, make]) => fastSteps(make()) !== undefined);

describe.each(withFused)("%s: fused = reference", (_name, make) => {
  it.each([
    ["dense inputs", false],
    ["one-hot inputs", true],
  ])("outputs and every gradient agree (%s)", (_what, oneHot) => {
    const T = 7;
    const B = 3;
    const cell = make();
    const xs = oneHot
      ? Array.from({ length: T }, (_, t) =>
          tf.tidy(
            () =>
              tf
                .oneHot(tf.tensor1d([t % 4, (t + 1) % 4, 3], "int32"), cell.inputSize)
                .toFloat() as tf.Tensor2D,
          ),
        )
      : randSeq(T, B, cell.inputSize, 5);
    const layer = unroll(cell);
    const fast = run(layer, true, xs, 11);
    const ref = run(layer, false, xs, 11);
    fast.ys.forEach((y, t) =>
      expect(y, `y[${t}]`).toBeAllclose(ref.ys[t], { atol: 1e-6, rtol: 1e-5 }),
    );
    for (const k of Object.keys(ref.g.dParams)) {
      expect(relError(fast.g.dParams[k].dataSync(), ref.g.dParams[k].dataSync()), k).toBeLessThan(
        1e-5,
      );
    }
    ref.g.dxs.forEach((d, t) =>
      expect(relError(fast.g.dxs[t].dataSync(), d.dataSync()), `dx[${t}]`).toBeLessThan(1e-5),
    );
    for (const k of Object.keys(ref.g.dCarry))
      expect(relError(fast.g.dCarry[k].dataSync(), ref.g.dCarry[k].dataSync())).toBeLessThan(1e-5);
    disposeAll(fast.g, ref.g, xs);
  });
});

describe("LSTM SIMD kernels (src/fast/lstm.wat)", () => {
  // H = 4, 8: whole vectors; 5, 9, 13: the last vector of each row overlaps the one before
  it.each([4, 5, 8, 9, 13])("fused = reference at H = %i", (H) => {
    const layer = unroll(lstm({ inputSize: 3, hiddenSize: H }));
    const xs = randSeq(4, 3, 3, 7);
    const fast = run(layer, true, xs, 21);
    const ref = run(layer, false, xs, 21);
    fast.ys.forEach((y, t) =>
      expect(y, `y[${t}]`).toBeAllclose(ref.ys[t], { atol: 1e-6, rtol: 1e-5 }),
    );
    for (const k of Object.keys(ref.g.dParams))
      expect(relError(fast.g.dParams[k].dataSync(), ref.g.dParams[k].dataSync()), k).toBeLessThan(
        1e-5,
      );
    disposeAll(fast.g, ref.g, xs);
  });

  it("saturated gates (pre-activations up to ±100) give the reference values, no NaN", () => {
    const layer = unroll(lstm({ inputSize: 3, hiddenSize: 8 }));
    const xs = randSeq(5, 2, 3, 8);
    const outputs = [true, false].map((on) => {
      setFused(on);
      const p = layer.init(3);
      const big = { ...p, Wx: tf.mul(p.Wx, 100) }; //                          |z| up to ~100
      const pass = layer.forward(big, xs);
      const ys = pass.ys.map((y) => Array.from(y.dataSync()));
      pass.dispose();
      disposeAll(p, big.Wx);
      return ys.flat();
    });
    expect(outputs[0].every(Number.isFinite)).toBe(true);
    expect(outputs[0].some((h) => Math.abs(h) < 1e-12)).toBe(true); //        an output gate shut
    expect(outputs[0]).toBeAllclose(outputs[1], { atol: 1e-6, rtol: 1e-5 });
    disposeAll(xs);
  });

  it("H < 4 has no fused steps (the reference ops run)", () => {
    expect(fastSteps(lstm({ inputSize: 2, hiddenSize: 3 }))).toBeUndefined();
    expect(fastSteps(lstm({ inputSize: 2, hiddenSize: 4 }))).toBeDefined();
  });
});

describe("inputGrads: false", () => {
  it.each([true, false])("returns no dxs and the same parameter gradients (fused %s)", (on) => {
    setFused(on);
    const layer = unroll(CELLS.lstm());
    const p = layer.init(2);
    const xs = randSeq(4, 2, 4, 3);
    const dys = randSeq(4, 2, layer.outputSize, 4);
    const before = tf.memory().numTensors;
    const pass = layer.forward(p, xs);
    const all = pass.backward(dys);
    const some = pass.backward(dys, { inputGrads: false });
    expect(some.dxs).toEqual([]);
    expect(all.dxs).toHaveLength(4);
    for (const k of Object.keys(all.dParams))
      expect(some.dParams[k], k).toBeAllclose(all.dParams[k], { atol: 0, rtol: 0 });
    disposeAll(all, some);
    pass.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeAll(p, xs, dys);
  });
});

describe("input projection (src/fast/projection.ts)", () => {
  it("finds one-hot rows and rejects anything else", () => {
    const X = tf.tensor2d([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    expect(Array.from(oneHotIds(X)!)).toEqual([1, 0]);
    for (const rows of [
      [[0, 1, 1]], //      two ones
      [[0, 0, 0]], //      none
      [[0, 2, 0]], //      not 1
      [[0.5, 0.5, 0]], //  a distribution
    ]) {
      const bad = tf.tensor2d(rows);
      expect(oneHotIds(bad)).toBeNull();
      bad.dispose();
    }
    X.dispose();
  });

  it("the gather and scatter-add equal X W + b and its matMul gradients", () => {
    tf.tidy(() => {
      const ids = [3, 0, 4, 4, 1, 3];
      const xs = [0, 3].map((s) =>
        tf.tidy(
          () => tf.oneHot(tf.tensor1d(ids.slice(s, s + 3), "int32"), 5).toFloat() as tf.Tensor2D,
        ),
      );
      const W = randn([5, 8], 1) as tf.Tensor2D;
      const b = randn([8], 2) as tf.Tensor1D;
      const dZx = randn([6, 8], 3) as tf.Tensor2D;
      const pr = project(xs, W, b);
      expect(pr.oneHot).toBe(true);
      const X = tf.concat(xs, 0);
      expect(pr.Zx).toBeAllclose(tf.add(tf.matMul(X, W), b), { atol: 1e-6 });
      const { dW, db } = pr.grads(dZx);
      expect(dW).toBeAllclose(tf.matMul(X, dZx, true, false), { atol: 1e-5 });
      expect(db).toBeAllclose(tf.sum(dZx, 0), { atol: 1e-5 });
      pr.dispose();
    });
  });
});

describe("the fused softmax cross-entropy", () => {
  it("equals the reference rule, also for large logits", () => {
    tf.tidy(() => {
      const z = tf.mul(randn([40, 65], 7), 30) as tf.Tensor2D;
      const y = tf
        .oneHot(
          tf.tensor1d(
            Array.from({ length: 40 }, (_, i) => i % 65),
            "int32",
          ),
          65,
        )
        .toFloat() as tf.Tensor2D;
      const fast = softmaxCrossEntropy(z, y);
      setFused(false);
      const ref = softmaxCrossEntropy(z, y);
      expect(fast.losses).toBeAllclose(ref.losses, { atol: 1e-4, rtol: 1e-5 });
      expect(fast.dz).toBeAllclose(ref.dz, { atol: 1e-6 });
      expect(Array.from(fast.losses.dataSync()).every(Number.isFinite)).toBe(true);
    });
  });
});

describe("splitRows", () => {
  it("equals tf.split along rows, and rejects an uneven split", () => {
    tf.tidy(() => {
      const x = randn([12, 5], 9) as tf.Tensor2D;
      const a = splitRows(x, 4);
      const b = tf.split(x, 4, 0);
      a.forEach((t, i) => expect(t).toBeAllclose(b[i], { atol: 0 }));
      expect(() => splitRows(x, 5)).toThrow(/12 rows do not split into 5 equal blocks/);
    });
  });
});

describe("Adam with the fused update (adam.ts)", () => {
  it("gives tf.train.adam's parameters and moments over 5 steps, and frees what it makes", async () => {
    const shapes: Record<string, number[]> = { W: [7, 5], b: [5] };
    const run = (opt: tf.Optimizer, tag: string) => {
      const vars = Object.fromEntries(
        Object.entries(shapes).map(([k, s], i) => [
          k,
          tf.tidy(() => tf.variable(randn(s, 10 + i), true, `${tag}/${k}`)),
        ]),
      );
      for (let step = 0; step < 5; step++) {
        const g = Object.fromEntries(
          Object.entries(shapes).map(([k, s], i) => [`${tag}/${k}`, randn(s, 100 * step + i)]),
        );
        const before = tf.memory().numTensors;
        opt.applyGradients(g);
        if (step > 0) expect(tf.memory().numTensors).toBe(before);
        disposeAll(g);
      }
      return vars;
    };
    const ours = new FusedAdam(0.01);
    const ref = tf.train.adam(0.01);
    const a = run(ours, "fusedAdamTest");
    const b = run(ref, "refAdamTest");
    for (const k of Object.keys(shapes))
      expect(a[k], k).toBeAllclose(b[k], { atol: 1e-6, rtol: 1e-5 });
    const [wa, wb] = [await ours.getWeights(), await ref.getWeights()];
    expect(wa.map((w) => w.tensor.shape)).toEqual(wb.map((w) => w.tensor.shape));
    wa.forEach((w, i) =>
      expect(w.tensor, w.name).toBeAllclose(wb[i].tensor, { atol: 1e-6, rtol: 1e-5 }),
    );
    ours.dispose();
    ref.dispose();
    disposeAll(a, b, wa, wb); // getWeights' iteration counts are new tensors
  });
});
