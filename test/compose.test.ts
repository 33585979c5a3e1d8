/** Reverse, bidirectional (every merge mode) and stacked layers: gradients and alignment. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { gru, lstm } from "../src/cells";
import { simpleRNN } from "../src/cells/simple";
import { bidirectional, MERGE_MODES, reverse, stack } from "../src/compose";
import { maskFromLengths } from "../src/mask";
import { unroll } from "../src/scan";
import { checkLeaks, EXACT } from "./helpers";
import { checkLayer, randSeq } from "./gradcheck";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

const lstmLayer = (d = 3, h = 4) => unroll(lstm({ inputSize: d, hiddenSize: h }));
const gruLayer = (d = 3, h = 4) => unroll(gru({ inputSize: d, hiddenSize: h }));

describe("reverse", () => {
  it("equals running the reversed sequence, with outputs back in time order", () => {
    tf.tidy(() => {
      const inner = lstmLayer();
      const p = inner.init(1);
      const xs = randSeq(5, 2, 3, 1);
      const r = reverse(inner).forward(p, xs);
      const direct = inner.forward(p, xs.slice().reverse());
      r.ys.forEach((y, t) => expect(y, `y[${t}]`).toBeAllclose(direct.ys[4 - t], EXACT));
      expect(checkLayer(reverse(inner))).toBeLessThanOrEqual(1e-4);
    });
  });
});

describe("bidirectional", () => {
  it.each(MERGE_MODES)("merge %s: hand BPTT equals autodiff", (merge) => {
    expect(checkLayer(bidirectional(lstmLayer(), gruLayer(), { merge }))).toBeLessThanOrEqual(1e-4);
  });

  it("works for any cell pair and with masks", () => {
    const mask = maskFromLengths([5, 2, 4], 5);
    expect(
      checkLayer(
        bidirectional(unroll(simpleRNN({ inputSize: 3, hiddenSize: 4 })), lstmLayer(3, 2)),
        { mask },
      ),
    ).toBeLessThanOrEqual(1e-4);
    mask.dispose();
  });

  it("aligns outputs in time: y_t = [fw after x_1..x_t, bw after x_T..x_t]", () => {
    tf.tidy(() => {
      const fw = lstmLayer();
      const bw = gruLayer();
      const bi = bidirectional(fw, bw);
      const p = bi.init(2);
      const xs = randSeq(4, 2, 3, 3);
      const pass = bi.forward(p, xs);
      const pf = Object.fromEntries(
        Object.entries(p)
          .filter(([k]) => k.startsWith("fw."))
          .map(([k, v]) => [k.slice(3), v]),
      );
      const pb = Object.fromEntries(
        Object.entries(p)
          .filter(([k]) => k.startsWith("bw."))
          .map(([k, v]) => [k.slice(3), v]),
      );
      for (let t = 0; t < 4; t++) {
        const f = fw.forward(pf, xs.slice(0, t + 1)).carry.h;
        const b = bw.forward(pb, xs.slice(t).reverse()).carry.h;
        expect(pass.ys[t], `y[${t}]`).toBeAllclose(tf.concat([f, b], 1), EXACT);
      }
      expect(bi.outputSize).toBe(8);
    });
  });
});

describe("stack", () => {
  it("a deep RNN of mixed layers: hand BPTT equals autodiff", () => {
    const deep = stack([
      lstmLayer(3, 4),
      bidirectional(gruLayer(4, 3), gruLayer(4, 3), { merge: "sum" }),
      unroll(simpleRNN({ inputSize: 3, hiddenSize: 2 })),
    ]);
    expect(checkLayer(deep, { T: 4 })).toBeLessThanOrEqual(1e-4);
    expect(Object.keys(deep.shapes)).toContain("1.fw.Wh");
    expect(Object.keys(deep.carrySizes).sort()).toEqual(["0.c", "0.h", "1.bw.h", "1.fw.h", "2.h"]);
  });

  it("stacked with a mask and truncation", () => {
    const mask = maskFromLengths([4, 1], 4);
    expect(
      checkLayer(stack([lstmLayer(3, 4), lstmLayer(4, 4)]), { T: 4, B: 2, mask }),
    ).toBeLessThanOrEqual(1e-4);
    mask.dispose();
  });
});
