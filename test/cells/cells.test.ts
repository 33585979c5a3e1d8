/** Every cell and variant: hand BPTT = autodiff, scan = manual loop, parameter counts. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { Carry, countParams } from "../../src/cells/cell";
import { tfOps } from "../../src/ops";
import { gru, lstm } from "../../src/cells";
import { simpleRNN } from "../../src/cells/simple";
import { CELLS, D, H } from "./catalog";
import { unroll } from "../../src/scan";
import { checkLeaks, EXACT } from "../helpers";
import { checkLayer, randCarry, randSeq } from "../gradcheck";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

describe.each(Object.entries(CELLS))("%s", (_name, make) => {
  it("hand BPTT equals autodiff (params, inputs, initial carry) within 1e-4", () => {
    expect(checkLayer(unroll(make()), { T: 6, seed: 3 })).toBeLessThanOrEqual(1e-4);
  });

  it("the scan equals a manual loop over the step function", () => {
    const cell = make();
    tf.tidy(() => {
      const layer = unroll(cell);
      const p = cell.init(2);
      const xs = randSeq(5, 3, D, 4);
      const c0 = randCarry(layer, 3, 8);
      const pass = layer.forward(p, xs, { carry: c0 });
      let carry = c0;
      xs.forEach((x, t) => {
        carry = cell.step(tfOps, p, carry, x).next as Carry;
        expect(pass.ys[t], `y[${t}]`).toBeAllclose(carry.h, EXACT);
      });
      for (const k of cell.carryNames) expect(pass.carry[k], k).toBeAllclose(carry[k], EXACT);
      pass.dispose();
    });
  });

  it("a sequence run in chunks with the carry passed along equals one run", () => {
    const cell = make();
    tf.tidy(() => {
      const layer = unroll(cell);
      const p = cell.init(5);
      const xs = randSeq(9, 2, D, 6);
      const whole = layer.forward(p, xs);
      const a = layer.forward(p, xs.slice(0, 4));
      const b = layer.forward(p, xs.slice(4), { carry: a.carry });
      [...a.ys, ...b.ys].forEach((y, t) => expect(y, `y[${t}]`).toBeAllclose(whole.ys[t], EXACT));
      for (const k of cell.carryNames) expect(b.carry[k], k).toBeAllclose(whole.carry[k], EXACT);
      [whole, a, b].forEach((q) => q.dispose());
    });
  });

  it("the same seed gives the same weights; another seed different ones", () => {
    const cell = make();
    tf.tidy(() => {
      const [a, b, c] = [cell.init(7), cell.init(7), cell.init(8)];
      for (const k of Object.keys(cell.shapes)) {
        expect(a[k].shape).toEqual(cell.shapes[k]);
        expect(Array.from(a[k].dataSync())).toEqual(Array.from(b[k].dataSync()));
      }
      expect(Array.from(a[Object.keys(cell.shapes)[0]].dataSync())).not.toEqual(
        Array.from(c[Object.keys(cell.shapes)[0]].dataSync()),
      );
    });
  });
});

describe("parameter counts follow the formulas", () => {
  const [d, h] = [D, H];
  it.each([
    ["simple", simpleRNN({ inputSize: d, hiddenSize: h }), h * (d + h) + h],
    ["lstm", lstm({ inputSize: d, hiddenSize: h }), 4 * (h * (d + h) + h)],
    [
      "lstm + peephole",
      lstm({ inputSize: d, hiddenSize: h, peephole: true }),
      4 * (h * (d + h) + h) + 3 * h,
    ],
    ["lstm + coupled", lstm({ inputSize: d, hiddenSize: h, coupled: true }), 3 * (h * (d + h) + h)],
    [
      "gru (reset before)",
      gru({ inputSize: d, hiddenSize: h, resetAfter: false }),
      3 * (h * (d + h) + h),
    ],
    ["gru (reset after)", gru({ inputSize: d, hiddenSize: h }), 3 * (h * (d + h) + 2 * h)],
  ])("%s", (_n, cell, formula) => {
    expect(countParams(cell.shapes)).toBe(formula);
  });
});

describe("initialisation", () => {
  it("the GRU update-gate bias starts the z block at updateBias, in both variants", () => {
    tf.tidy(() => {
      const after = gru({ inputSize: 2, hiddenSize: 3, updateBias: 2 }).init(1);
      expect(Array.from(after.bx.dataSync())).toEqual([2, 2, 2, 0, 0, 0, 0, 0, 0]);
      expect(Array.from(after.bh.dataSync())).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const before = gru({ inputSize: 2, hiddenSize: 3, resetAfter: false, updateBias: 2 }).init(1);
      expect(Array.from(before.b.dataSync())).toEqual([2, 2, 2, 0, 0, 0, 0, 0, 0]);
      expect(() => gru({ inputSize: 2, hiddenSize: 3, updateBias: NaN })).toThrow(
        "gru: updateBias must be a finite number (got NaN)",
      );
    });
  });

  it("recurrent weights are orthogonal per gate block and the LSTM forget bias is 1", () => {
    const cell = lstm({ inputSize: 3, hiddenSize: 5 });
    tf.tidy(() => {
      const p = cell.init(1);
      const blocks = tf.split(p.Wh, 4, 1);
      for (const q of blocks)
        expect(tf.matMul(q as tf.Tensor2D, q as tf.Tensor2D, true, false), "QᵀQ").toBeAllclose(
          tf.eye(5),
          { atol: 1e-5 },
        );
      expect(Array.from(p.b.dataSync())).toEqual([
        0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ]);
      const limit = Math.sqrt(6 / (3 + 20));
      expect(Math.max(...Array.from(p.Wx.dataSync()).map(Math.abs))).toBeLessThanOrEqual(limit);
    });
  });
});
