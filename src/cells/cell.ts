/**
 * What a recurrent cell is: a pure step `(carry, x) → carry` whose output is `carry.h`, its
 * explicit backward step, its parameter shapes and their initial values.
 *
 * Shapes: B batch, D input size, H hidden size. Every tensor a step returns is new (it never
 * hands back its inputs), so the scan can own and free them.
 */
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";

/** Parameters by name (`Wxh`, `Whh`, `bh`, …). */
export type Params = Record<string, Tensor>;
/** Recurrent state by name; always holds `h` [B, H], the output. LSTM adds `c`. */
export type Carry = Record<string, Tensor2D>;
/** Intermediate values a step keeps for its backward step (gate activations, …). */
export type Cache = Record<string, Tensor>;

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
   * returns dL/d(prev), dL/dx and this step's parameter gradients.
   */
  backStep(p: Params, r: StepRecord, dNext: Carry): { dPrev: Carry; dx: Tensor2D; dParams: Params };
}

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
