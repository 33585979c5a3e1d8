/**
 * The one rule that decides which path runs: the fast path (kernels registered with tfjs for
 * the wasm backend, src/fast/) or the reference ops (the cells' equations through tfOps).
 *
 *   fast ⇔ switched on (RNN_FUSED ≠ 0, setFused) ∧ backend is wasm ∧ no gradient tape records
 *
 * Everything fast asks this: the scan (and, per cell, whether a fast step exists for it), the
 * mask blend of a variable-length batch (mask.ts: masks run fast too, for every cell), the
 * one-hot projection, splitRows, the softmax cross-entropy, Adam's update. Under `tf.grads`
 * the reference ops run, so autodiff of a layer is always an independent check of the fast
 * path. `RNN_FUSED=0` or `setFused(false)` runs no kernel of
 * ours at all (a test counts them).
 */
import * as tf from "@tensorflow/tfjs";
import type { Cell } from "../cells/cell";
import { FAST_CELLS } from "./cells";
import { referenceBlend, type Blend, type StepMask } from "../mask";
import { fastBlend } from "./mask";
import type { FastSteps } from "./steps";

let enabled = (process.env.RNN_FUSED ?? "").trim() !== "0";

/** Switches the fast path on or off (on by default; `RNN_FUSED=0` starts it off). */
export function setFused(on: boolean): void {
  enabled = on;
}

/** Whether the fast path is switched on (what a worker thread copies from its parent). */
export function fusedSwitch(): boolean {
  return enabled;
}

/** Whether the fast path may run now: switched on, wasm backend, no gradient tape. */
export function fastPath(): boolean {
  return enabled && tf.getBackend() === "wasm" && !tf.engine().isTapeOn();
}

/** The cell's fast steps if it has any (whatever the backend): looked up by its name. */
export function fastSteps(cell: Cell): FastSteps | undefined {
  return Object.prototype.hasOwnProperty.call(FAST_CELLS, cell.name)
    ? FAST_CELLS[cell.name](cell)
    : undefined;
}

/** The fast steps to unroll `cell` with now, or undefined: then the reference step runs. */
export function fastCell(cell: Cell): FastSteps | undefined {
  return fastPath() ? fastSteps(cell) : undefined;
}

/** The blend to unroll a masked batch with now: ours (fast/mask.ts) or the reference ops. */
export function maskBlend(m: StepMask): Blend {
  return fastPath() ? fastBlend(m) : referenceBlend(m);
}

/**
 * Which path a cell's steps take now, for tables that put times side by side:
 *
 *   "fused kernels (wasm SIMD)"  the cell has fast steps written in WebAssembly SIMD (lstm.wat)
 *   "fused kernels (JS loops)"   the cell has fast steps written as flat JavaScript loops
 *   "reference ops"              no fast steps for it (peepholes, coupled gates, MGU, an LSTM
 *                                with H < 4), or the fast path is off (setFused(false),
 *                                RNN_FUSED=0, not wasm, a tape)
 *
 * Times measured on different paths compare the implementations as much as the cells.
 */
/** The cells whose fast steps are hand-written WebAssembly SIMD; the others' are JS loops. */
export const SIMD_CELLS: readonly string[] = ["lstm"];

export type StepPath = "fused kernels (wasm SIMD)" | "fused kernels (JS loops)" | "reference ops";

/** The path `unroll(cell)` runs on now (same rule as the scan: src/fast/policy.ts). */
export function stepPath(cell: Cell): StepPath {
  if (!fastPath() || fastSteps(cell) === undefined) return "reference ops";
  return SIMD_CELLS.includes(cell.name) ? "fused kernels (wasm SIMD)" : "fused kernels (JS loops)";
}
