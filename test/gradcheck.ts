/**
 * Gradient checks for the tests: src/gradcheck.ts (the same functions notebook 02 uses as
 * `rnn.gradcheck`) plus assertions. The loss is a random linear probe of every output and of
 * the final carry, L = Σ_t Σ (y_t ⊙ R_t) + Σ_k Σ (carry_k ⊙ Q_k).
 */
import { expect } from "vitest";
import { Layer } from "../src/layer";
import { gradcheck, gradErrors, GradcheckOptions, GradSet } from "../src/gradcheck";

export { randn, randSeq, randCarry, probe, probeLoss, autodiff } from "../src/gradcheck";
export type { GradSet, Probe } from "../src/gradcheck";

/** Asserts two gradient sets agree to `tol` relative error (per tensor), naming the first that does not. */
export function expectSameGrads(ours: GradSet, ref: GradSet, tol = 1e-4, what = ""): number {
  expect(Object.keys(ours.dParams).sort()).toEqual(Object.keys(ref.dParams).sort());
  const shapes = (g: GradSet) => [
    ...Object.keys(ref.dParams).map((k) => g.dParams[k]?.shape),
    ...ref.dxs.map((_, t) => g.dxs[t]?.shape),
    ...Object.keys(ref.dCarry).map((k) => g.dCarry[k]?.shape),
  ];
  expect(shapes(ours), `${what} shapes`).toEqual(shapes(ref));
  return expectErrors(gradErrors(ours, ref), tol, what);
}

function expectErrors(errors: Record<string, number>, tol: number, what: string): number {
  let worst = 0;
  for (const [name, e] of Object.entries(errors)) {
    worst = Math.max(worst, e);
    expect(e, `${what} ${name}: relative error`).toBeLessThanOrEqual(tol);
  }
  return worst;
}

export type CheckOptions = Pick<GradcheckOptions, "T" | "B" | "seed" | "mask" | "truncate">;

/** Full check of one layer: hand BPTT vs autodiff of the same forward. Returns the worst relative error. */
export function checkLayer(layer: Layer, options: CheckOptions = {}): number {
  return expectErrors(gradcheck(layer, options).errors, 1e-4, layer.name);
}
