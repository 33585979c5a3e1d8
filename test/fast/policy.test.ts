/**
 * The one switch: with the fast path off (setFused(false), or RNN_FUSED=0 at start) not one
 * kernel of ours runs in a whole training step (projection, cell steps, splitRows, softmax
 * cross-entropy, Adam) or a prediction; with it on, they do.
 */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { initBackend } from "../../src/backend";
import { fastPath, fastSteps, setFused } from "../../src/fast/policy";
import { maskFromLengths } from "../../src/mask";
import { model, predict } from "../../src/model";
import { unroll } from "../../src/scan";
import { trainer } from "../../src/train";
import { CELLS, D } from "../cells/catalog";
import { checkLeaks } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
afterEach(() => setFused(true));
checkLeaks();

const T = 5;
const oneHots = (shift: number) =>
  Array.from({ length: T }, (_, t) =>
    tf.tidy(
      () =>
        tf
          .oneHot(
            tf.tensor1d(
              [0, 1, 2].map((b) => (t + b + shift) % D),
              "int32",
            ),
            D,
          )
          .toFloat() as tf.Tensor2D,
    ),
  );

/** Names of the kernels of ours (rnnwb.*) that a training step and a prediction run. */
async function ourKernels(make: () => ReturnType<(typeof CELLS)[string]>, masked = false) {
  const m = model({ layer: unroll(make()), outputSize: D });
  const tr = trainer({ model: m, seed: 1, optimizer: "adam", learningRate: 1e-3 });
  const [xs, targets] = [oneHots(0), oneHots(1)];
  const mask = masked ? maskFromLengths([5, 3, 1], T) : undefined;
  tr.step({ xs, targets, mask }); //                                     Adam's slots made here
  const info = await tf.profile(() => {
    tr.step({ xs, targets, mask });
    const out = predict(m, tr.params, xs, { mask });
    tf.dispose([out.outputs, Object.values(out.carry)]);
  });
  tr.dispose();
  tf.dispose([xs, targets, mask ?? []]);
  return [...new Set(info.kernels.map((k) => k.name).filter((n) => n.startsWith("rnnwb.")))];
}

describe.each(Object.entries(CELLS))("%s", (_name, make) => {
  it("switched off: a training step and a prediction run no kernel of ours", async () => {
    setFused(false);
    expect(fastPath()).toBe(false);
    expect(await ourKernels(make)).toEqual([]);
  });

  it("switched on: our kernels run (the step's own when the cell has fast steps)", async () => {
    const names = await ourKernels(make);
    expect(names).toContain("rnnwb.SoftmaxXent");
    expect(names).toContain("rnnwb.Adam");
    expect(names).toContain("rnnwb.RowBlock");
    const stepKernels = names.filter(
      (n) => !["rnnwb.SoftmaxXent", "rnnwb.Adam", "rnnwb.RowBlock"].includes(n),
    );
    if (fastSteps(make())) {
      expect(stepKernels).toContain("rnnwb.GatherRows"); //                      the projection
      expect(stepKernels.filter((n) => !n.includes("Rows")).length).toBeGreaterThan(1); // step, back
    } else expect(stepKernels).toEqual([]);
  });
});

it("a mask runs the fast steps and our blend kernels", async () => {
  const names = await ourKernels(CELLS.lstm, true);
  expect(names).toContain("rnnwb.LstmStep");
  expect(names).toContain("rnnwb.MaskBlend");
});

it("RNN_FUSED=0 starts with the fast path off", async () => {
  vi.stubEnv("RNN_FUSED", "0");
  vi.resetModules();
  try {
    const fresh = await import("../../src/fast/policy");
    expect(fresh.fastPath()).toBe(false);
    fresh.setFused(true);
    expect(fresh.fastPath()).toBe(true);
  } finally {
    vi.unstubAllEnvs();
    vi.resetModules();
  }
});
