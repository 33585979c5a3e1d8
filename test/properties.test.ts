/**
 * Property-based (fast-check) test of validation: over sizes, shapes, masks and
 * hyper-parameters drawn from good and bad values alike, a call either works or throws the
 * library's own one-line error (a plain Error, not a TypeError/RangeError or a tfjs message),
 * and tf.memory().numTensors is back where it was once the test frees what it made itself.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../src/backend";
import { CELLS } from "../src/cells";
import { bidirectional, MERGE_MODES, stack } from "../src/compose";
import { disposeAll, Layer } from "../src/layer";
import { maskFromLengths } from "../src/mask";
import { initModel, lossAndGrads, model, predict } from "../src/model";
import { unroll } from "../src/scan";
import { OPTIMIZERS, trainer } from "../src/train";

beforeAll(async () => {
  await initBackend();
});

const RUNS = 150;
/** Numbers good and bad: small integers, 0, negatives, fractions, NaN, ±Infinity, huge. */
const anyNumber = fc.oneof(
  fc.integer({ min: 1, max: 4 }),
  fc.constantFrom(0, -1, 2.5, NaN, Infinity, -Infinity, 1e9),
);
/** Anything a hurried caller might pass where a number belongs. */
const anyValue = fc.oneof(
  anyNumber,
  fc.constantFrom(undefined, null, "3", [2], {}, true) as fc.Arbitrary<unknown>,
);

/** Runs `f`; its error must be our own one-line Error; the tensors it leaves are only `kept()`. */
function ownErrorsNoLeaks(f: () => unknown): void {
  const before = tf.memory().numTensors;
  let result: unknown;
  try {
    result = f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    const err = e as Error;
    expect(err.constructor, err.message).toBe(Error);
    expect(err.message).not.toMatch(/\n|Cannot read|is not a function|is not iterable|Error in /);
    expect(err.message).toMatch(/^[\w.]+( [\w.]+)*:? /); //   "what: …" or a sentence
  }
  disposeAll(result);
  expect(tf.memory().numTensors).toBe(before);
}

const cellNames = Object.keys(CELLS);

describe("validation properties", () => {
  it("cell factories and layers: any sizes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...cellNames),
        anyValue,
        anyValue,
        fc.constantFrom("unroll", "stack", "bidirectional"),
        fc.constantFrom(...MERGE_MODES, "max"),
        (name, inputSize, hiddenSize, wrap, merge) =>
          ownErrorsNoLeaks(() => {
            const make = () =>
              unroll(
                CELLS[name]({ inputSize, hiddenSize } as { inputSize: number; hiddenSize: number }),
              );
            const layer: Layer =
              wrap === "stack"
                ? stack([make(), make()])
                : wrap === "bidirectional"
                  ? bidirectional(make(), make(), { merge: merge as never })
                  : make();
            disposeAll(layer.init(1));
          }),
      ),
      { numRuns: RUNS },
    );
  });

  it("maskFromLengths: any lengths and T", () => {
    fc.assert(
      fc.property(fc.array(anyValue, { maxLength: 4 }), anyValue, (lengths, T) =>
        ownErrorsNoLeaks(() => maskFromLengths(lengths as number[], T as number)),
      ),
      { numRuns: RUNS },
    );
  });

  it("models and trainers: any output size, mode, loss and hyper-parameters", () => {
    const layer = unroll(CELLS.gru({ inputSize: 2, hiddenSize: 3 }));
    fc.assert(
      fc.property(
        anyValue,
        fc.constantFrom("sequence", "last", "all"),
        fc.constantFrom("softmax", "mse", "hinge"),
        fc.constantFrom(...OPTIMIZERS, "lbfgs"),
        fc.record({
          learningRate: anyValue,
          clipNorm: anyValue,
          clipValue: anyValue,
          maxLossRatio: anyValue,
        }),
        (outputSize, output, loss, optimizer, hyper) =>
          ownErrorsNoLeaks(() => {
            const m = model({ layer, outputSize, output, loss } as never);
            trainer({ model: m, optimizer, ...hyper } as never).dispose();
          }),
      ),
      { numRuns: RUNS },
    );
  });

  it("lossAndGrads and predict: any shapes of inputs, targets and mask", () => {
    const D = 2;
    const O = 3;
    const m = model({ layer: unroll(CELLS.lstm({ inputSize: D, hiddenSize: 3 })), outputSize: O });
    const last = model({ ...m, output: "last" } as never);
    const p = initModel(m, 1);
    const dim = fc.constantFrom(0, 1, 2, 3);
    fc.assert(
      fc.property(
        fc.record({
          T: dim,
          B: dim,
          d: fc.constantFrom(D, 1),
          Ty: dim,
          By: dim,
          o: fc.constantFrom(O, 2),
        }),
        fc.option(fc.record({ rows: dim, cols: dim, fill: fc.constantFrom(0, 1, 0.5) })),
        fc.constantFrom(0, NaN, Infinity),
        fc.boolean(),
        ({ T, B, d, Ty, By, o }, mask, bad, many) =>
          ownErrorsNoLeaks(() =>
            tf.tidy(() => {
              const xs = Array.from({ length: T }, () => tf.fill([B, d], bad) as tf.Tensor2D);
              const targets = Array.from(
                { length: Ty },
                () => tf.oneHot(tf.zeros([By], "int32"), o).toFloat() as tf.Tensor2D,
              );
              const mk = mask
                ? (tf.fill([mask.rows, mask.cols], mask.fill) as tf.Tensor2D)
                : undefined;
              if (many) predict(m, p, xs, { mask: mk });
              else if (Ty % 2) lossAndGrads(last, p, { xs, target: targets[0], mask: mk });
              else lossAndGrads(m, p, { xs, targets, mask: mk });
            }),
          ),
      ),
      { numRuns: RUNS },
    );
    disposeAll(p);
  });
});
