/**
 * What a recurrent cell is: a pure step `(carry, x) → carry` whose output is `carry.h`, its
 * explicit backward step, its parameter shapes and their initial values.
 *
 * A cell writes its equations against the operations it is given (`Ops<T>`, src/ops.ts), so
 * the same equations run eagerly on tfjs tensors (the scan passes `tfOps`) or are traced by
 * another engine. No cell knows about kernels: a faster version of a cell's step, where there
 * is one, lives in src/fast/ under the cell's name.
 *
 * Shapes: B batch, D input size, H hidden size. Every tensor a step returns is new (it never
 * hands back its inputs), so the scan can own and free them.
 */
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";
import type { Ops } from "../ops";

/** Parameters by name (`Wxh`, `Whh`, `bh`, …). */
export type Params<T = Tensor> = Record<string, T>;
/** Recurrent state by name; always holds `h` [B, H], the output. LSTM adds `c`. */
export type Carry<T = Tensor2D> = Record<string, T>;
/** Intermediate values a step keeps for its backward step (gate activations, …). */
export type Cache<T = Tensor> = Record<string, T>;

/**
 * A weight gradient written as an outer product, ∂L/∂W += aᵀ b (a [B, m], b [B, n]). The scan
 * collects each step's a and b and forms Σ_t a_tᵀ b_t with one matMul at the end (src/outer.ts).
 * `a` must be a value the step record holds (x, prev, next or cache); `b` a new value of the
 * backward step. `a` = null is a bias added to every row: ∂L/∂bias += Σ_batch b.
 */
export interface Outer<T = Tensor2D> {
  readonly outer: true;
  readonly a: T | null;
  readonly b: T;
}

/** ∂L/∂W = aᵀ b, accumulated over time by the scan. */
export const outer = <T>(a: T, b: T): Outer<T> => ({ outer: true, a, b });

/** ∂L/∂bias = Σ_batch b, accumulated over time by the scan. */
export const rowSum = <T>(b: T): Outer<T> => ({ outer: true, a: null, b });

/** Gradients from one backward step: values (summed over steps) or outer products. */
export type StepGrads<T = Tensor> = Record<string, T | Outer<T>>;

export const isOuter = <T>(g: T | Outer<T>): g is Outer<T> =>
  typeof g === "object" && g !== null && (g as Outer<T>).outer === true;

/** One step as the scan records it for backpropagation. */
export interface StepRecord<T = Tensor2D> {
  /** The input x_t [B, D] (not owned by the record). */
  x: T;
  /** The carry before the step. */
  prev: Carry<T>;
  /** The carry the cell computed. */
  next: Carry<T>;
  /** What the cell kept for its backward step. */
  cache: Cache<T>;
}

/** What a backward step returns: dL/d(prev), dL/dx and this step's parameter gradients. */
export interface BackStep<T> {
  dPrev: Carry<T>;
  dx: T;
  dParams: StepGrads<T>;
}

export interface Cell {
  /** "simple", "lstm", "gru", "mgu", with variant, e.g. "lstm+peephole". */
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
  step<T>(o: Ops<T>, p: Params<T>, prev: Carry<T>, x: T): { next: Carry<T>; cache: Cache<T> };
  /**
   * Backward step: given dL/d(next) (the output's gradient already added to `dNext.h`),
   * returns dL/d(prev), dL/dx and this step's parameter gradients. `pT` holds the transpose of
   * every matrix parameter (`pT.Wh` = Whᵀ), made once per backward pass.
   */
  backStep<T>(
    o: Ops<T>,
    p: Params<T>,
    pT: Params<T>,
    r: StepRecord<T>,
    dNext: Carry<T>,
  ): BackStep<T>;
}

/** A cell factory's options object, or a one-line error saying what it needs. */
export function optionsOf<O>(what: string, options: O | undefined): O {
  if (typeof options !== "object" || options === null)
    throw new Error(
      `${what}: needs an options object with inputSize and hiddenSize, e.g. ${what}({ inputSize: 65, hiddenSize: 128 })`,
    );
  return options;
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
  checkElements(what, `inputSize ${inputSize} and hiddenSize ${hiddenSize}`, [
    inputSize + hiddenSize,
    4 * hiddenSize, //                                   the widest cell's weights: 4 gates
  ]);
}

/**
 * The most elements one tensor may have: 2^28 float32 (1 GiB). The wasm backend's heap is 4 GiB
 * at most, and running out of it aborts the runtime for every later call.
 */
export const MAX_ELEMENTS = 2 ** 28;

/** Checks that a tensor of this shape fits (see MAX_ELEMENTS); `sizes` names what makes it. */
export function checkElements(what: string, sizes: string, shape: readonly number[]): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_ELEMENTS)
    throw new Error(
      `${what}: ${sizes} need a [${shape.join(", ")}] weight of ${n.toPrecision(3)} floats; at most 2^28 fit in one tensor`,
    );
}

/** Checks an initial gate bias. */
export function checkBias(what: string, k: string, v: number): void {
  if (!Number.isFinite(v)) throw new Error(`${what}: ${k} must be a finite number (got ${v})`);
}

/** Number of scalar parameters: the product of each shape, summed. */
export function countParams(shapes: Readonly<Record<string, readonly number[]>>): number {
  return Object.values(shapes).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
}
