/** Running a many-to-one model as a classifier (src/classify/predict.ts). */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { lstm } from "../../src/cells";
import { shuffledBatches } from "../../src/bucket";
import { classify } from "../../src/classify/predict";
import { maskFromLengths } from "../../src/mask";
import { initModel, model, predict } from "../../src/model";
import { unroll } from "../../src/scan";
import { randSeq } from "../gradcheck";
import { checkLeaks } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

describe("classify", () => {
  it("in chunks, the probabilities of predict on the whole batch; labels are their argmax", () => {
    const m = model({
      layer: unroll(lstm({ inputSize: 3, hiddenSize: 4 })),
      outputSize: 3,
      output: "mean",
    });
    const p = initModel(m, 1);
    const xs = randSeq(5, 7, 3, 2);
    const lengths = [5, 1, 2, 3, 4, 5, 2];
    const rows = (ids: number[]) => ({
      xs: xs.map((x) => tf.gather(x, ids) as tf.Tensor2D),
      mask: maskFromLengths(
        ids.map((i) => lengths[i]),
        5,
      ),
    });
    const all = Array.from({ length: 7 }, (_, i) => i);
    const r = classify(m, p, rows, all, { chunk: 3 });
    const whole = rows(all);
    const out = predict(m, p, whole.xs, { mask: whole.mask });
    const probs = tf.softmax(out.output!);
    expect(r.probabilities).toBeAllclose(probs, { rtol: 1e-5, atol: 1e-7 });
    const best = probs.argMax(1);
    expect(r.labels).toEqual(Array.from(best.dataSync()));
    best.dispose();
    tf.dispose([p, xs, whole.xs, whole.mask, out.outputs, out.carry, out.output!, probs] as never);
  });

  it("refuses a many-to-many model", () => {
    const m = model({ layer: unroll(lstm({ inputSize: 3, hiddenSize: 4 })), outputSize: 3 });
    expect(() => classify(m, {}, () => ({ xs: [] }), [0])).toThrow(
      'classify: the model must be many-to-one (output "last" or "mean")',
    );
  });
});

describe("shuffledBatches", () => {
  it("every index once, batches of the size asked, the same for the same seed", () => {
    const a = shuffledBatches(10, 4, 3);
    expect(a.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(a.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(shuffledBatches(10, 4, 3)).toEqual(a);
    expect(shuffledBatches(10, 4, 4)).not.toEqual(a);
  });

  it("refuses sizes that are not positive integers", () => {
    expect(() => shuffledBatches(0, 4, 1)).toThrow(
      "shuffledBatches: n must be a positive integer (got 0)",
    );
    expect(() => shuffledBatches(5, 1.5, 1)).toThrow(
      "shuffledBatches: batchSize must be a positive integer (got 1.5)",
    );
  });
});
