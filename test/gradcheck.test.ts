import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { lstm } from "../src/cells";
import { simpleRNN } from "../src/cells/simple";
import { gradcheck } from "../src/gradcheck";
import { Layer } from "../src/layer";
import { unroll } from "../src/scan";

describe("gradcheck", () => {
  it("reports per-tensor relative errors against autodiff, and the worst, without leaks", () => {
    const layer = unroll(lstm({ inputSize: 3, hiddenSize: 4 }));
    const before = tf.memory().numTensors;
    const r = gradcheck(layer, { T: 4, B: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(r.errors)).toEqual([
      "dWx",
      "dWh",
      "db",
      "dx[0]",
      "dx[1]",
      "dx[2]",
      "dx[3]",
      "dCarry.h",
      "dCarry.c",
    ]);
    expect(r.worst).toBe(Math.max(...Object.values(r.errors)));
    expect(r.errors[r.worstName]).toBe(r.worst);
    expect(r.worst).toBeLessThanOrEqual(1e-4);
    expect(r.finiteDifference).toBeUndefined();
  });

  it("compares with central finite differences when asked", () => {
    const before = tf.memory().numTensors;
    const r = gradcheck(unroll(simpleRNN({ inputSize: 4, hiddenSize: 5 })), {
      T: 6,
      finiteDifferences: true,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.finiteDifference).toBeLessThan(1e-2);
  });

  it("finds a wrong backward", () => {
    const good = unroll(simpleRNN({ inputSize: 2, hiddenSize: 3 }));
    const bad: Layer = {
      ...good,
      forward(p, xs, opts) {
        const pass = good.forward(p, xs, opts);
        return {
          ...pass,
          backward(dys, o) {
            const g = pass.backward(dys, o);
            g.dParams.Whh = tf.mul(g.dParams.Whh, 1.1) as tf.Tensor;
            return g;
          },
        };
      },
    };
    const r = gradcheck(bad, { T: 3 });
    expect(r.worstName).toBe("dWhh");
    expect(r.worst).toBeGreaterThan(0.05);
  });

  it("truncation is measured against full BPTT", () => {
    const layer = unroll(simpleRNN({ inputSize: 2, hiddenSize: 3 }));
    expect(gradcheck(layer, { T: 6, truncate: 6 }).errors.dWhh).toBeLessThanOrEqual(1e-4);
    expect(gradcheck(layer, { T: 6, truncate: 1 }).errors.dWhh).toBeGreaterThan(1e-3);
  });

  it("rejects bad sizes in one line", () => {
    const layer = unroll(simpleRNN({ inputSize: 2, hiddenSize: 3 }));
    expect(() => gradcheck(layer, { T: 0 })).toThrow(
      "gradcheck: T must be a positive integer (got 0)",
    );
    expect(() => gradcheck(layer, { B: 1.5 })).toThrow("gradcheck: B must be a positive integer");
  });
});
