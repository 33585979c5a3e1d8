/** Unrolling and BPTT: masks, truncation, per-step gradient norms. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { Carry } from "../src/cells/cell";
import { gru, lstm } from "../src/cells";
import { simpleRNN } from "../src/cells/simple";
import { disposeAll } from "../src/layer";
import { maskFromLengths } from "../src/mask";
import { CELLS } from "./cells/catalog";
import { tfOps } from "../src/ops";
import { unroll } from "../src/scan";
import { checkLeaks, EXACT } from "./helpers";
import {
  autodiff,
  checkLayer,
  expectSameGrads,
  probe,
  probeLoss,
  randCarry,
  randSeq,
} from "./gradcheck";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

/** Identity forward, zero gradient backward: what truncation does to the carry. */
const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

describe("masked sequences (variable lengths)", () => {
  it.each(Object.entries(CELLS))("%s: hand BPTT with a mask equals autodiff", (_n, make) => {
    const mask = maskFromLengths([6, 3, 1], 6);
    expect(checkLayer(unroll(make()), { T: 6, mask })).toBeLessThanOrEqual(1e-4);
    mask.dispose();
  });

  it("padded steps change neither the state nor receive gradient", () => {
    tf.tidy(() => {
      const layer = unroll(lstm({ inputSize: 3, hiddenSize: 4 }));
      const p = layer.init(1);
      const xs = randSeq(5, 2, 3, 2);
      const mask = maskFromLengths([5, 2], 5);
      const pass = layer.forward(p, xs, { mask });
      // sequence 1 has 2 real steps: its state after step 2 is its final carry and its later outputs
      const short = layer.forward(
        p,
        xs.slice(0, 2).map((x) => tf.slice(x, [1, 0], [1, 3]) as tf.Tensor2D),
      );
      expect(tf.slice(pass.carry.c, [1, 0], [1, 4]), "c").toBeAllclose(short.carry.c, EXACT);
      for (let t = 2; t < 5; t++)
        expect(tf.slice(pass.ys[t], [1, 0], [1, 4]), `y[${t}]`).toBeAllclose(short.carry.h, EXACT);
      const g = pass.backward(xs.map(() => tf.onesLike(pass.ys[0]) as tf.Tensor2D));
      for (let t = 2; t < 5; t++)
        expect(Array.from(tf.slice(g.dxs[t], [1, 0], [1, 3]).dataSync())).toEqual([0, 0, 0]);
      disposeAll(g); // tf.keep'd by backward: the tidy does not free them
      pass.dispose();
    });
  });
});

describe("truncated BPTT", () => {
  it.each([1, 2, 3, 7])(
    "truncate = %i equals autodiff with the carry gradient stopped every k2 steps",
    (k2) => {
      tf.tidy(() => {
        const cell = lstm({ inputSize: 3, hiddenSize: 4 });
        const layer = unroll(cell);
        const [T, B] = [7, 2];
        const p = layer.init(3);
        const xs = randSeq(T, B, 3, 4);
        const c0 = randCarry(layer, B, 5);
        const pr = probe(layer, T, B, 6);
        const pass = layer.forward(p, xs, { carry: c0 });
        const ours = pass.backward(pr.R, { dCarry: pr.Q, truncate: k2 });
        const manual = (pp: typeof p, xx: tf.Tensor2D[], cc: Carry) => {
          let carry = cc;
          const ys: tf.Tensor2D[] = [];
          xx.forEach((x, t) => {
            if (t % k2 === 0)
              carry = Object.fromEntries(
                Object.entries(carry).map(([k, v]) => [k, stopGradient(v) as tf.Tensor2D]),
              );
            carry = cell.step(tfOps, pp, carry, x).next as Carry;
            ys.push(carry.h);
          });
          return { ys, carry };
        };
        expectSameGrads(ours, autodiff(probeLoss(manual, pr), p, xs, c0), 1e-4, `truncate ${k2}`);
        disposeAll(ours);
        pass.dispose();
      });
    },
  );

  it("truncating at the sequence length changes nothing but the initial-carry gradient", () => {
    tf.tidy(() => {
      const layer = unroll(gru({ inputSize: 3, hiddenSize: 4 }));
      const p = layer.init(1);
      const xs = randSeq(6, 2, 3, 2);
      const pr = probe(layer, 6, 2, 3);
      const pass = layer.forward(p, xs);
      const full = pass.backward(pr.R);
      const cut = pass.backward(pr.R, { truncate: 6 });
      for (const k of Object.keys(full.dParams))
        expect(cut.dParams[k], k).toBeAllclose(full.dParams[k], EXACT);
      expect(Array.from(cut.dCarry.h.dataSync()).every((v) => v === 0)).toBe(true);
      disposeAll(full, cut);
      pass.dispose();
    });
  });
});

describe("per-step gradient norms", () => {
  it("‖∂L/∂h_t‖ for each step equals the autodiff gradient of L with respect to h_t", () => {
    tf.tidy(() => {
      const cell = simpleRNN({ inputSize: 3, hiddenSize: 5 });
      const layer = unroll(cell);
      const p = layer.init(1);
      const xs = randSeq(6, 2, 3, 2);
      const pass = layer.forward(p, xs);
      const dys: (tf.Tensor2D | null)[] = xs.map(() => null);
      dys[5] = tf.onesLike(pass.ys[5]) as tf.Tensor2D; // loss at the last step only
      const g = pass.backward(dys, { gradNorms: true });
      const norms = g.gradNorms!.h;
      expect(norms).toHaveLength(6);
      // reference: perturb nothing; L = Σ h_T, and ∂L/∂h_t by autodiff through the steps after t
      for (let t = 0; t < 6; t++) {
        const f = (h: tf.Tensor) => {
          let carry: Carry = { h: h as tf.Tensor2D };
          for (let s = t + 1; s < 6; s++) carry = cell.step(tfOps, p, carry, xs[s]).next as Carry;
          return tf.sum(carry.h) as tf.Scalar;
        };
        const ref = tf.norm(tf.grad(f)(pass.ys[t])).dataSync()[0];
        expect(Math.abs(norms[t] - ref) / ref, `t=${t}`).toBeLessThan(1e-4);
      }
      disposeAll(g);
      pass.dispose();
    });
  });
});
