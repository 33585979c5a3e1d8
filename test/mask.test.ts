/** Masks: checked and cut once per call, shared by every layer inside; the blend's two rules. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { initBackend } from "../src/backend";
import { gru, lstm } from "../src/cells";
import { bidirectional, stack } from "../src/compose";
import { blend, maskFromLengths, stepMask, unblend } from "../src/mask";
import { initModel, lossAndGrads, model, predict } from "../src/model";
import { unroll } from "../src/scan";
import { randSeq } from "./gradcheck";
import { checkLeaks } from "./helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const [T, B, D, H] = [5, 3, 4, 4];
const biLayer = (inputSize: number) =>
  bidirectional(
    unroll(lstm({ inputSize, hiddenSize: H })),
    unroll(gru({ inputSize, hiddenSize: H })),
  );

describe("a mask is read once per call", () => {
  it("a stack of two bidirectional layers reads the mask's values once per lossAndGrads", () => {
    const m = model({ layer: stack([biLayer(D), biLayer(2 * H)]), outputSize: 2, loss: "mse" });
    const p = initModel(m, 1);
    const xs = randSeq(T, B, D, 2);
    const targets = randSeq(T, B, 2, 3);
    const mask = maskFromLengths([5, 2, 4], T);
    const reads = vi.spyOn(mask, "dataSync");
    const out = lossAndGrads(m, p, { xs, targets, mask });
    expect(reads).toHaveBeenCalledTimes(1);
    const pred = predict(m, p, xs, { mask });
    expect(reads).toHaveBeenCalledTimes(2);
    tf.dispose([p, xs, targets, mask, out.grads, out.carry, pred.outputs, pred.carry] as never);
  });

  it("a bad mask is named at the top of the model, once", () => {
    const m = model({ layer: stack([biLayer(D), biLayer(2 * H)]), outputSize: 2, loss: "mse" });
    const p = initModel(m, 1);
    const xs = randSeq(T, B, D, 2);
    const targets = randSeq(T, B, 2, 3);
    const bad = tf.tensor2d([
      [1, 0.5, 0, 0, 0],
      [1, 1, 1, 1, 1],
      [1, 1, 0, 0, 0],
    ]);
    expect(() => lossAndGrads(m, p, { xs, targets, mask: bad })).toThrow(
      "model: mask must hold only 0 and 1 (found 0.5 at [0, 1])",
    );
    tf.dispose([p, xs, targets, bad] as never);
  });

  it("a mask too large for one tensor is a one-line error (found by the property test)", () => {
    expect(() => maskFromLengths([1e9], 1e9)).toThrow(
      "maskFromLengths: a [1, 1000000000] mask does not fit in one tensor (at most 2^28 values)",
    );
  });

  it("a mask given as steps must fit the sequence", () => {
    const mask = maskFromLengths([2, 1], 2);
    const sm = stepMask("test", mask, 2, 2);
    expect(() => stepMask("lstm", sm.mask, 3, 2)).toThrow("lstm: mask must be [3, 2]");
    tf.dispose([mask, ...(sm.mask?.steps ?? [])]);
  });
});

describe("blend and unblend (mask.ts)", () => {
  it("unblend is the vector–Jacobian product of blend", () => {
    const m = tf.tensor2d([[1], [0], [1]]);
    const [next, prev, dS] = [1, 2, 3].map((s) => randSeq(1, B, H, s)[0]);
    const f = (n: tf.Tensor, q: tf.Tensor) =>
      tf.sum(tf.mul(blend(m, { h: n as tf.Tensor2D }, { h: q as tf.Tensor2D }).h, dS));
    const [dn, dq] = tf.grads(f)([next, prev]);
    const { dNext, dHeld } = tf.tidy(() => unblend(m, { h: dS }));
    expect(dNext.h).toBeAllclose(dn, { rtol: 0, atol: 0 });
    expect(dHeld.h).toBeAllclose(dq, { rtol: 0, atol: 0 });
    const state = tf.tidy(() => blend(m, { h: next }, { h: prev }).h.arraySync());
    expect(state[1]).toEqual(prev.arraySync()[1]); //                       padded: kept
    expect(state[0]).toEqual(next.arraySync()[0]); //                       real: the step's
    tf.dispose([m, next, prev, dS, dn, dq, dNext.h, dHeld.h]);
  });
});
