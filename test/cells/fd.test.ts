/**
 * Central finite differences for every cell of the catalog (rnn.gradcheck, the same check
 * notebook 02 shows): the directional derivative ∇L·v of our hand BPTT against
 * (L(θ + εv) − L(θ − εv)) / 2ε with Richardson extrapolation, float32; the tolerance 1e-3 is
 * the one test/model.test.ts states its reasons for. relu is not differentiable at 0: a
 * pre-activation within ε of 0 turns the O(ε⁴) error into O(ε), so relu cells use ε/10.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend";
import { gradcheck } from "../../src/gradcheck";
import { unroll } from "../../src/scan";
import { CELLS } from "./catalog";
import { checkLeaks } from "../helpers";

beforeAll(async () => {
  await initBackend();
});
checkLeaks();

describe.each(Object.entries(CELLS))("%s", (name, make) => {
  it.each([1, 2])("finite differences agree within 1e-3 (seed %i)", (seed) => {
    const epsilon = name.includes("relu") ? 0.005 : 0.05;
    const r = gradcheck(unroll(make()), { T: 5, B: 2, seed, finiteDifferences: true, epsilon });
    expect(r.finiteDifference).toBeLessThan(1e-3);
    expect(r.worst, r.worstName).toBeLessThanOrEqual(1e-4);
  });
});
