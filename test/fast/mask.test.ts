/**
 * The masked fast path (src/fast/mask.ts): the same loss, final carry and gradients as the
 * reference blend, for every cell with fast steps and the compositions; our kernels run; no leaks.
 */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import type { Cell } from "../../src/cells/cell";
import { bidirectional, reverse, stack } from "../../src/compose";
import { FAST_CELLS } from "../../src/fast/cells";
import { setFused } from "../../src/fast/policy";
import { rng } from "../../src/init";
import type { Layer } from "../../src/layer";
import { maskFromLengths } from "../../src/mask";
import { initModel, lossAndGrads, model } from "../../src/model";
import { unroll } from "../../src/scan";
import { CELLS as LIBRARY } from "../../src/cells";
import { checkLeaks } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
afterEach(() => setFused(true));
checkLeaks();

const [T, B, D, H, O] = [7, 6, 5, 8, 3];
const TOL = { rtol: 1e-4, atol: 1e-5 };
const cellOf = (name: string, inputSize = D): Cell => LIBRARY[name]({ inputSize, hiddenSize: H });

/** Random lengths in 1 … T with 1 and T among them. */
function lengths(seed: number): number[] {
  const u = rng(seed);
  return Array.from({ length: B }, (_, b) => (b === 0 ? 1 : b === 1 ? T : 1 + Math.floor(u() * T)));
}

/** A batch: random inputs, one-hot targets per step and a last target, a mask. */
function batch(seed: number) {
  const u = rng(seed);
  const xs = Array.from({ length: T }, () =>
    tf.tensor2d(
      Float32Array.from({ length: B * D }, () => 2 * u() - 1),
      [B, D],
    ),
  );
  const hot = () =>
    tf.tidy(
      () =>
        tf
          .oneHot(
            tf.tensor1d(
              Array.from({ length: B }, () => Math.floor(u() * O)),
              "int32",
            ),
            O,
          )
          .toFloat() as tf.Tensor2D,
    );
  const targets = Array.from({ length: T }, hot);
  return { xs, targets, target: hot(), mask: maskFromLengths(lengths(seed), T) };
}

/** Loss, final carry and gradients of a model on `layer`, fused on or off. */
function run(layer: () => Layer, output: "sequence" | "last", fused: boolean, seed = 3) {
  const m = model({ layer: layer(), outputSize: O, output });
  const p = initModel(m, 1);
  const b = batch(seed);
  setFused(fused);
  try {
    const out = lossAndGrads(m, p, b);
    const grads = Object.fromEntries(
      Object.entries(out.grads).map(([k, v]) => [k, Array.from(v.dataSync())]),
    );
    const carry = Object.fromEntries(
      Object.entries(out.carry).map(([k, v]) => [k, Array.from(v.dataSync())]),
    );
    tf.dispose([out.grads, out.carry] as never);
    return { loss: out.loss, grads, carry };
  } finally {
    setFused(true);
    tf.dispose([p, b.xs, b.targets, b.target, b.mask] as never);
  }
}

const LAYERS: [string, () => Layer][] = [
  ...Object.keys(FAST_CELLS).map((n) => [n, () => unroll(cellOf(n))] as [string, () => Layer]),
  ["reverse(lstm)", () => reverse(unroll(cellOf("lstm")))],
  ["bidirectional(lstm, gru)", () => bidirectional(unroll(cellOf("lstm")), unroll(cellOf("gru")))],
  ["stack(gru, simple)", () => stack([unroll(cellOf("gru")), unroll(cellOf("simple", H))])],
];

describe.each(LAYERS)("%s with a mask", (_name, layer) => {
  it.each(["sequence", "last"] as const)(
    "output %s: fused = reference (loss, carry, grads)",
    (output) => {
      const fast = run(layer, output, true);
      const ref = run(layer, output, false);
      expect(fast.loss).toBeCloseTo(ref.loss, 5);
      expect(Object.keys(fast.grads).sort()).toEqual(Object.keys(ref.grads).sort());
      for (const k of Object.keys(ref.grads))
        expect(fast.grads[k], k).toBeAllclose(ref.grads[k], TOL);
      for (const k of Object.keys(ref.carry))
        expect(fast.carry[k], k).toBeAllclose(ref.carry[k], TOL);
    },
  );
});

/** Names of the kernels one masked lossAndGrads of `layer` runs. */
async function kernels(layer: () => Layer): Promise<string[]> {
  const m = model({ layer: layer(), outputSize: O });
  const p = initModel(m, 1);
  const b = batch(5);
  const info = await tf.profile(() => {
    const out = lossAndGrads(m, p, b);
    tf.dispose([out.grads, out.carry] as never);
  });
  tf.dispose([p, b.xs, b.targets, b.target, b.mask] as never);
  return info.kernels.map((k) => k.name);
}

describe("the masked fast path runs our kernels", () => {
  it("the cell's step kernels and the blend kernels run, and not the reference blend", async () => {
    const names = await kernels(() => unroll(cellOf("lstm")));
    expect(names).toContain("rnnwb.LstmStep");
    expect(names).toContain("rnnwb.LstmBack");
    for (const k of ["rnnwb.MaskBlend", "rnnwb.MaskGrad", "rnnwb.MaskHeldGrad"])
      expect(names).toContain(k);
    const blends = names.filter((n) => n === "rnnwb.MaskBlend").length;
    expect(blends).toBeLessThanOrEqual(T); //                 one per padded step, all parts at once
    expect(names.filter((n) => n === "Sub")).toEqual([]); //          the reference's 1 − m_t
  });

  it("with the fast path off, the reference blend runs instead", async () => {
    setFused(false);
    const names = await kernels(() => unroll(cellOf("lstm")));
    expect(names.filter((n) => n.startsWith("rnnwb."))).toEqual([]);
    expect(names).toContain("Sub");
  });

  it("under a gradient tape the reference blend runs (autodiff stays independent)", async () => {
    const layer = unroll(cellOf("gru"));
    const p = layer.init(1);
    const b = batch(7);
    const f = (x0: tf.Tensor) => {
      const pass = layer.forward(p, [x0 as tf.Tensor2D, ...b.xs.slice(1)], { mask: b.mask });
      const s = tf.addN(pass.ys.map((y) => tf.sum(y))) as tf.Scalar;
      return s;
    };
    const info = await tf.profile(() => tf.dispose(tf.grads(f)([b.xs[0]])));
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n.startsWith("rnnwb.Mask"))).toEqual([]);
    expect(names).toContain("Sub");
    tf.dispose([Object.values(p), b.xs, b.targets, b.target, b.mask] as never);
  });
});

describe("masks: errors and leaks", () => {
  it("a mask with a value other than 0 and 1 is refused on the fast path, nothing leaks", () => {
    const m = model({ layer: unroll(cellOf("lstm")), outputSize: O });
    const p = initModel(m, 1);
    const b = batch(9);
    const bad = tf.tensor2d(
      Float32Array.from({ length: B * T }, (_, k) => (k === 3 ? 0.5 : 1)),
      [B, T],
    );
    expect(() => lossAndGrads(m, p, { ...b, mask: bad })).toThrow(
      "model: mask must hold only 0 and 1 (found 0.5 at [0, 3])",
    );
    tf.dispose([p, b.xs, b.targets, b.target, b.mask, bad] as never);
  });

  it("an error inside a masked fast pass leaves no tensor behind", () => {
    const layer = unroll(cellOf("lstm"));
    const p = layer.init(1);
    const b = batch(11);
    const pass = layer.forward(p, b.xs, { mask: b.mask });
    expect(() => pass.backward(b.xs.slice(1))).toThrow();
    pass.dispose();
    tf.dispose([Object.values(p), b.xs, b.targets, b.target, b.mask] as never);
  });
});
