/** SimpleRNN initialisation: orthogonal Whh by default, the identity for the IRNN. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { simpleRNN } from "../../src/cells/simple";
import { disposeAll } from "../../src/layer";
import { checkLeaks } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

describe("simpleRNN recurrentInit", () => {
  it('"identity" gives Whh = I and zero biases (the IRNN); the default is orthogonal, not I', () => {
    const irnn = simpleRNN({
      inputSize: 3,
      hiddenSize: 4,
      activation: "relu",
      recurrentInit: "identity",
    });
    const p = irnn.init(5);
    const eye = tf.eye(4);
    expect(p.Whh).toBeAllclose(eye, { rtol: 0, atol: 0 });
    expect(Array.from(p.bh.dataSync())).toEqual([0, 0, 0, 0]);
    const q = simpleRNN({ inputSize: 3, hiddenSize: 4 }).init(5);
    const gram = tf.matMul(q.Whh, q.Whh, true);
    expect(gram).toBeAllclose(eye, { rtol: 0, atol: 1e-5 });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(q.Whh, eye))).dataSync()[0])).toBeGreaterThan(0.1);
    expect(p.Wxh).toBeAllclose(q.Wxh, { rtol: 0, atol: 0 }); //        input weights unchanged
    disposeAll(p, q, eye, gram);
  });

  it("rejects an unknown recurrentInit, naming it", () => {
    expect(() =>
      simpleRNN({ inputSize: 3, hiddenSize: 4, recurrentInit: "eye" as "identity" }),
    ).toThrow('simpleRNN: recurrentInit must be "orthogonal" or "identity" (got "eye")');
  });
});
