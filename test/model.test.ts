/** Heads, losses and the whole model: gradients against autodiff and finite differences. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { gru, lstm } from "../src/cells";
import { bidirectional } from "../src/compose";
import { meanSquaredError, softmaxCrossEntropy } from "../src/loss";
import { maskFromLengths } from "../src/mask";
import { Batch, initModel, lossAndGrads, model, Model, predict } from "../src/model";
import { unroll } from "../src/scan";
import { disposeAll, Params } from "../src/layer";
import { checkLeaks, relError } from "./helpers";
import { randn, randSeq } from "./gradcheck";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const oneHots = (T: number, B: number, V: number, seed: number) =>
  Array.from({ length: T }, (_, t) =>
    tf.tidy(
      () =>
        tf
          .oneHot(
            tf.tensor1d(
              Array.from({ length: B }, (_, b) => (seed * 7 + t * 3 + b * 5) % V),
              "int32",
            ),
            V,
          )
          .toFloat() as tf.Tensor2D,
    ),
  );

/** The same loss written with plain tfjs ops, for tf.grads. */
function referenceLoss(m: Model, batch: Batch) {
  return (p: Params): tf.Scalar => {
    const pass = m.layer.forward(p, batch.xs, { mask: batch.mask });
    const T = batch.xs.length;
    const B = batch.xs[0].shape[0];
    const head = (y: tf.Tensor2D) =>
      tf.add(tf.matMul(y, p["head.Why"] as tf.Tensor2D), p["head.by"]) as tf.Tensor2D;
    const loss = (z: tf.Tensor2D, y: tf.Tensor2D) =>
      m.loss === "softmax"
        ? tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(z)), 1))
        : tf.mean(tf.square(tf.sub(z, y)), 1);
    const w = batch.mask ? tf.unstack(batch.mask, 1) : [];
    if (m.output === "sequence") {
      let L: tf.Tensor = tf.scalar(0);
      for (let t = 0; t < T; t++) {
        const l = loss(head(pass.ys[t]), batch.targets![t]);
        L = tf.add(L, tf.sum(batch.mask ? tf.mul(l, w[t]) : l));
      }
      return tf.div(L, batch.mask ? tf.sum(batch.mask) : B * T) as tf.Scalar;
    }
    let yLast = pass.ys[T - 1];
    if (batch.mask) {
      const lengths = tf.sum(batch.mask, 1).arraySync() as number[];
      yLast = tf.stack(
        lengths.map((n, b) => tf.slice(pass.ys[n - 1], [b, 0], [1, -1]).reshape([-1])),
      ) as tf.Tensor2D;
    }
    return tf.mean(loss(head(yLast), batch.target!)) as tf.Scalar;
  };
}

function expectModelGrads(m: Model, batch: Batch, seed = 1) {
  tf.tidy(() => {
    const p = initModel(m, seed);
    const ours = lossAndGrads(m, p, batch);
    const keys = Object.keys(p);
    const f = referenceLoss(m, batch);
    const { value, grads } = tf.valueAndGrads((...v: tf.Tensor[]) =>
      f(Object.fromEntries(keys.map((k, i) => [k, v[i]]))),
    )(keys.map((k) => p[k]));
    expect(Math.abs(ours.loss - value.dataSync()[0]) / Math.abs(value.dataSync()[0])).toBeLessThan(
      1e-5,
    );
    keys.forEach((k, i) =>
      expect(relError(ours.grads[k].dataSync(), grads[i].dataSync()), k).toBeLessThanOrEqual(1e-4),
    );
    disposeAll(ours); // the caller owns lossAndGrads' tensors: this tidy may not free them
  });
}

describe("losses", () => {
  it("softmax cross-entropy and MSE give per-example values and the gradients of their formulas", () => {
    tf.tidy(() => {
      const z = randn([3, 5], 1) as tf.Tensor2D;
      const y = tf.oneHot(tf.tensor1d([0, 4, 2], "int32"), 5).toFloat() as tf.Tensor2D;
      const ce = softmaxCrossEntropy(z, y);
      const g = tf.grad((zz: tf.Tensor) => tf.sum(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(zz)), 1))))(
        z,
      );
      expect(relError(ce.dz.dataSync(), g.dataSync())).toBeLessThan(1e-5);
      expect(ce.losses.shape).toEqual([3]);
      const t = randn([3, 5], 2) as tf.Tensor2D;
      const mse = meanSquaredError(z, t);
      const gm = tf.grad((zz: tf.Tensor) => tf.sum(tf.mean(tf.square(tf.sub(zz, t)), 1)))(z);
      expect(relError(mse.dz.dataSync(), gm.dataSync())).toBeLessThan(1e-5);
    });
  });
});

describe("model gradients equal autodiff", () => {
  const [T, B, D, V] = [5, 3, 4, 6];
  it("many-to-many, softmax, LSTM", () => {
    const m = model({ layer: unroll(lstm({ inputSize: D, hiddenSize: 5 })), outputSize: V });
    const batch = { xs: randSeq(T, B, D, 1), targets: oneHots(T, B, V, 1) };
    expectModelGrads(m, batch);
    disposeAll(batch);
  });

  it("many-to-many with a mask (padded steps add no loss), bidirectional GRU", () => {
    const m = model({
      layer: bidirectional(
        unroll(gru({ inputSize: D, hiddenSize: 3 })),
        unroll(gru({ inputSize: D, hiddenSize: 3 })),
      ),
      outputSize: V,
    });
    const batch = {
      xs: randSeq(T, B, D, 2),
      targets: oneHots(T, B, V, 2),
      mask: maskFromLengths([5, 2, 4], T),
    };
    expectModelGrads(m, batch);
    disposeAll(batch);
  });

  it("many-to-one at the last real step, MSE", () => {
    const m = model({
      layer: unroll(lstm({ inputSize: D, hiddenSize: 5 })),
      outputSize: 2,
      output: "last",
      loss: "mse",
    });
    const masked = {
      xs: randSeq(T, B, D, 3),
      target: randn([B, 2], 4) as tf.Tensor2D,
      mask: maskFromLengths([1, 5, 3], T),
    };
    expectModelGrads(m, masked);
    const plain = { xs: randSeq(T, B, D, 3), target: randn([B, 2], 4) as tf.Tensor2D };
    expectModelGrads(m, plain);
    disposeAll(masked, plain);
  });
});

describe("central finite differences", () => {
  // float32 only (tfjs has no float64). Along a random unit direction v, the central
  // difference D(ε) = (L(θ+εv) − L(θ−εv)) / 2ε has error O(ε²); Richardson's (4·D(ε/2) − D(ε))/3
  // cancels that term, leaving O(ε⁴) ≈ 1e-6 for ε = 0.05, while float32 rounding of L (≈ 1e-7·|L|)
  // adds ≈ 1e-7/ε ≈ 2e-6 absolute. Against derivatives of order 0.1 that is ≲ 1e-4 relative;
  // the test allows 1e-3.
  it.each([
    ["lstm + peephole", () => lstm({ inputSize: 3, hiddenSize: 4, peephole: true })],
    ["gru", () => gru({ inputSize: 3, hiddenSize: 4 })],
  ])("%s: directional derivatives agree within 1e-3", (_n, make) => {
    tf.tidy(() => {
      const m = model({ layer: unroll(make()), outputSize: 5 });
      const batch = { xs: randSeq(4, 2, 3, 5), targets: oneHots(4, 2, 5, 3) };
      const p = initModel(m, 2);
      const r0 = lossAndGrads(m, p, batch);
      const { grads } = r0;
      for (let trial = 0; trial < 3; trial++) {
        const raw = Object.fromEntries(
          Object.entries(p).map(([k, t], i) => [k, randn(t.shape, 100 * trial + i)]),
        );
        const len = Math.sqrt(
          Object.values(raw).reduce((a, t) => a + tf.sum(tf.square(t)).dataSync()[0], 0),
        );
        const v = Object.fromEntries(Object.entries(raw).map(([k, t]) => [k, tf.div(t, len)]));
        const at = (s: number) => {
          const r = lossAndGrads(
            m,
            Object.fromEntries(Object.entries(p).map(([k, t]) => [k, tf.add(t, tf.mul(v[k], s))])),
            batch,
          );
          disposeAll(r); // the caller owns lossAndGrads' tensors: the tidy may not free them
          return r.loss;
        };
        const central = (eps: number) => (at(eps) - at(-eps)) / (2 * eps);
        const fd = (4 * central(0.025) - central(0.05)) / 3;
        const dot = Object.keys(p).reduce(
          (a, k) => a + tf.sum(tf.mul(grads[k], v[k])).dataSync()[0],
          0,
        );
        expect(
          Math.abs(fd - dot) / Math.abs(dot),
          `trial ${trial}: fd ${fd} vs ${dot}`,
        ).toBeLessThan(1e-3);
      }
      disposeAll(r0);
    });
  });
});

describe("predict", () => {
  it("gives the head outputs of lossAndGrads' forward and a carry to continue from, leaking nothing", () => {
    const m = model({
      layer: unroll(lstm({ inputSize: 4, hiddenSize: 5 })),
      outputSize: 2,
      loss: "mse",
    });
    const p = initModel(m, 1);
    const xs = randSeq(6, 3, 4, 9);
    const start = tf.memory().numTensors;
    const whole = predict(m, p, xs);
    const a = predict(m, p, xs.slice(0, 4));
    const b = predict(m, p, xs.slice(4), { carry: a.carry });
    [...a.outputs, ...b.outputs].forEach((o, t) =>
      expect(relError(o.dataSync(), whole.outputs[t].dataSync())).toBeLessThan(1e-6),
    );
    tf.dispose(
      [
        whole.outputs,
        a.outputs,
        b.outputs,
        Object.values(whole.carry),
        Object.values(a.carry),
        Object.values(b.carry),
      ].flat(),
    );
    expect(tf.memory().numTensors).toBe(start);
    disposeAll(p, xs);
  });
});

describe("encoder–decoder gradients", () => {
  it("dCarry from the decoder, fed to the encoder's backward, equals autodiff through both", () => {
    tf.tidy(() => {
      const enc = unroll(lstm({ inputSize: 3, hiddenSize: 4 }));
      const dec = model({ layer: unroll(lstm({ inputSize: 2, hiddenSize: 4 })), outputSize: 3 });
      const pe = enc.init(1);
      const pd = initModel(dec, 2);
      const xs = randSeq(4, 2, 3, 3);
      const ds = randSeq(3, 2, 2, 4);
      const targets = oneHots(3, 2, 3, 5);
      const encPass = enc.forward(pe, xs);
      const r = lossAndGrads(dec, pd, { xs: ds, targets, carry: encPass.carry });
      const ge = encPass.backward(
        xs.map(() => null),
        { dCarry: r.dCarry },
      );
      const keys = Object.keys(pe);
      const f = (...v: tf.Tensor[]) => {
        const p = Object.fromEntries(keys.map((k, i) => [k, v[i]]));
        const c = enc.forward(p, xs).carry;
        return referenceLossWithCarry(dec, pd, ds, targets, c);
      };
      const ref = tf.grads(f)(keys.map((k) => pe[k]));
      keys.forEach((k, i) =>
        expect(relError(ge.dParams[k].dataSync(), ref[i].dataSync()), k).toBeLessThanOrEqual(1e-4),
      );
      disposeAll(r, ge); // tf.keep'd by lossAndGrads and backward: the tidy does not free them
      encPass.dispose();
    });
  });
});

function referenceLossWithCarry(
  m: Model,
  p: Params,
  xs: tf.Tensor2D[],
  targets: tf.Tensor2D[],
  carry: Record<string, tf.Tensor2D>,
): tf.Scalar {
  const pass = m.layer.forward(p, xs, { carry });
  let L: tf.Tensor = tf.scalar(0);
  pass.ys.forEach((y, t) => {
    const z = tf.add(tf.matMul(y, p["head.Why"] as tf.Tensor2D), p["head.by"]) as tf.Tensor2D;
    L = tf.add(L, tf.sum(tf.neg(tf.sum(tf.mul(targets[t], tf.logSoftmax(z)), 1))));
  });
  return tf.div(L, xs.length * xs[0].shape[0]) as tf.Scalar;
}
