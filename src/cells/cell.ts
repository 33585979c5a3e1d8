/**
 * What a recurrent cell is: a pure step `(carry, x) → carry` whose output is `carry.h`, its
 * explicit backward step, its parameter shapes and their initial values.
 *
 * Shapes: B batch, D input size, H hidden size. Every tensor a step returns is new (it never
 * hands back its inputs), so the scan can own and free them.
 */
import { mul, sub } from "@tensorflow/tfjs";
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";

/** Parameters by name (`Wxh`, `Whh`, `bh`, …). */
export type Params = Record<string, Tensor>;
/** Recurrent state by name; always holds `h` [B, H], the output. LSTM adds `c`. */
export type Carry = Record<string, Tensor2D>;
/** Intermediate values a step keeps for its backward step (gate activations, …). */
export type Cache = Record<string, Tensor>;

/**
 * A weight gradient written as an outer product, ∂L/∂W += aᵀ b (a [B, m], b [B, n]). The scan
 * collects each step's a and b and forms Σ_t a_tᵀ b_t with one matMul at the end: on the wasm
 * backend a transposed matMul per step costs 10× a plain one. `a` must be a tensor the step
 * record holds (x, prev, next or cache); `b` a new tensor of the backward step. `a` = null is
 * a bias added to every row: ∂L/∂bias += Σ_batch b, also summed once at the end.
 */
export interface Outer {
  readonly a: Tensor2D | null;
  readonly b: Tensor2D;
}

/** ∂L/∂W = aᵀ b, accumulated over time by the scan. */
export function outer(a: Tensor2D, b: Tensor2D): Outer {
  return { a, b };
}

/** ∂L/∂bias = Σ_batch b, accumulated over time by the scan. */
export function rowSum(b: Tensor2D): Outer {
  return { a: null, b };
}

/** Gradients from one backward step: tensors (summed over steps) or outer products. */
export type StepGrads = Record<string, Tensor | Outer>;

/** One step as the scan records it for backpropagation. */
export interface StepRecord {
  /** The input x_t [B, D] (not owned by the record). */
  x: Tensor2D;
  /** The carry before the step. */
  prev: Carry;
  /** The carry the cell computed. */
  next: Carry;
  /** What the cell kept for its backward step. */
  cache: Cache;
}

export interface Cell {
  /** "simple", "lstm", "gru", with variant, e.g. "lstm+peephole". */
  readonly name: string;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Names of the carry's parts, each [B, H]: ["h"] or ["h", "c"]. */
  readonly carryNames: readonly string[];
  /** Parameter name → shape. */
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  /** Seeded initial parameters. */
  init(seed: number): Params;
  /** Forward step: the new carry (output = carry.h) and the cache for backStep. */
  step(p: Params, prev: Carry, x: Tensor2D): { next: Carry; cache: Cache };
  /**
   * Backward step: given dL/d(next) (the output's gradient already added to `dNext.h`),
   * returns dL/d(prev), dL/dx and this step's parameter gradients. `pT` holds the transpose of
   * every matrix parameter (`pT.Wh` = Whᵀ), made once per backward pass.
   */
  backStep(
    p: Params,
    pT: Params,
    r: StepRecord,
    dNext: Carry,
  ): { dPrev: Carry; dx: Tensor2D; dParams: StepGrads };
  /** Optional fused version of step/backStep (same math), used by the scan on wasm. */
  readonly fused?: FusedSteps;
}

/** Rows start … start + B − 1 of a [T·B, W] tensor, read in place by a fused kernel. */
export interface Rows {
  readonly all: Tensor2D;
  readonly start: number;
}

/**
 * The same cell with the gate math of a step fused into one kernel (see kernels.ts). The input
 * side is taken out of the loop: Zx = X·p[input.W] + p[input.b]  [T·B, G·H] is one matMul for
 * all steps, and a step reads its rows of Zx. The scan then forms ∂L/∂W = Xᵀ dZx,
 * ∂L/∂b = Σ dZx and dx = dZx Wᵀ for all steps at once.
 */
export interface FusedSteps {
  /** Names of the input weight and bias. */
  readonly input: { readonly W: string; readonly b: string };
  /** Forward step from this step's rows of Zx. */
  step(p: Params, prev: Carry, zx: Rows): { next: Carry; cache: Cache };
  /** Backward step: dL/d(prev), dL/d(zx_t) and the gradients of the other parameters. */
  backStep(
    p: Params,
    pT: Params,
    r: Omit<StepRecord, "x">,
    dNext: Carry,
  ): { dPrev: Carry; dzx: Tensor2D; dParams: StepGrads };
}

/** d ⊙ σ′ written with the gate's output s = σ(a):  d ⊙ s ⊙ (1 − s). */
export const sigmoidGrad = (d: Tensor, s: Tensor): Tensor => mul(d, mul(s, sub(1, s)));

/** Checks the sizes a cell factory is given. */
export function checkSizes(what: string, inputSize: number, hiddenSize: number): void {
  for (const [k, v] of [
    ["inputSize", inputSize],
    ["hiddenSize", hiddenSize],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0)
      throw new Error(`${what}: ${k} must be a positive integer (got ${v})`);
  }
}

/** Number of scalar parameters: the product of each shape, summed. */
export function countParams(shapes: Readonly<Record<string, readonly number[]>>): number {
  return Object.values(shapes).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
}
