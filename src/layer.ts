/**
 * A Layer runs a whole sequence: `forward(params, xs)` returns a Pass with the outputs, the
 * final carry and a `backward(dys)` that returns the gradients (a vector–Jacobian product).
 * `unroll(cell)` makes a Layer from a cell; `reverse`, `bidirectional` and `stack` make
 * Layers from Layers, so they work for every cell.
 *
 * Sequences are arrays of T tensors [B, D], one per time step: cutting steps out of one big
 * tensor costs O(whole tensor) per slice on the wasm backend.
 */
import * as tf from "@tensorflow/tfjs";
import type { Carry, Params } from "./cells/cell";
import type { MaskInput } from "./mask";

export type { Carry, Params };

export interface ForwardOptions {
  /** Carry to start from (default zeros): pass the previous call's `carry` for stateful use. */
  carry?: Carry;
  /**
   * [B, T] of 1 (real step) and 0 (padding): padded steps leave the carry unchanged. Layers
   * made of layers check and cut it once (`stepMask`) and hand the steps down.
   */
  mask?: MaskInput;
  /**
   * Present while training (lossAndGrads passes it), absent in `predict`: dropout layers draw
   * their masks from `seed` (each inner layer a sub-seed) and are off without it.
   */
  train?: Training;
}

/** Training mode: the seed of this pass's dropout masks, and the recurrent dropout rate. */
export interface Training {
  readonly seed: number;
  /** Rate p of variational dropout on h_{t−1} inside every unrolled cell below (0: none). */
  readonly recurrentDropout?: number;
}

export interface BackwardOptions {
  /** ∂L/∂(final carry), e.g. from a head on the last state (default zeros). */
  dCarry?: Carry;
  /** Truncation k2: the carry gradient is cut every k2 steps (from the sequence start). */
  truncate?: number;
  /** Also return ‖∂L/∂h_t‖ for every step (Frobenius norm over the batch). */
  gradNorms?: boolean;
  /** false: the caller does not need ∂L/∂x_t (e.g. a model's first layer); dxs is then []. */
  inputGrads?: boolean;
}

export interface Grads {
  /** ∂L/∂params, same names as the layer's parameters. */
  dParams: Params;
  /** ∂L/∂x_t for every step ([] when asked with inputGrads: false). */
  dxs: tf.Tensor2D[];
  /** ∂L/∂(initial carry). */
  dCarry: Carry;
  /** ‖∂L/∂h_t‖ per step, keyed by carry name ("h", "fw.h", "0.h", …) when asked for. */
  gradNorms?: Record<string, number[]>;
}

export interface Pass {
  /** Outputs per step, [B, outputSize]. Owned by the pass. */
  ys: tf.Tensor2D[];
  /** Final carry. Owned by the pass: clone what must outlive `dispose()`. */
  carry: Carry;
  /** Gradients given ∂L/∂y_t (null: no loss at that step). Returned tensors are the caller's. */
  backward(dys: (tf.Tensor2D | null)[], options?: BackwardOptions): Grads;
  /** Frees every tensor the pass created. */
  dispose(): void;
}

export interface Layer {
  readonly name: string;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Parameter name → shape. */
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  /** Carry part name → width. */
  readonly carrySizes: Readonly<Record<string, number>>;
  init(seed: number): Params;
  forward(p: Params, xs: tf.Tensor2D[], options?: ForwardOptions): Pass;
}

/** Zero carry [B, width] for each part of a layer's carry. */
export function zeroCarry(layer: Layer, batch: number): Carry {
  return Object.fromEntries(
    Object.entries(layer.carrySizes).map(([k, w]) => [k, tf.zeros([batch, w]) as tf.Tensor2D]),
  );
}

/** A copy of a carry (e.g. one that must outlive the pass it came from). */
export function cloneCarry(c: Carry): Carry {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, tf.clone(v)]));
}

const shapeText = (t: tf.Tensor) => `[${t.shape.join(", ")}] ${t.dtype}`;

/** Checks a sequence: a non-empty array of float32 [B, D] tensors, the same B ≥ 1. Returns B. */
export function checkSequence(what: string, xs: unknown, D: number, name = "xs"): number {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new Error(
      `${what}: ${name} must be a non-empty array of [batch, ${D}] tensors, one per time step`,
    );
  }
  const first = xs[0] as tf.Tensor;
  const B = first instanceof tf.Tensor && first.rank === 2 ? first.shape[0] : -1;
  if (B === 0)
    throw new Error(
      `${what}: ${name}[0] has a batch of 0 rows; a batch needs at least one sequence`,
    );
  xs.forEach((x: unknown, t) => {
    const ok =
      x instanceof tf.Tensor &&
      x.rank === 2 &&
      x.shape[0] === B &&
      x.shape[1] === D &&
      x.dtype === "float32";
    if (!ok) {
      const got = x instanceof tf.Tensor ? shapeText(x) : typeof x;
      throw new Error(
        `${what}: ${name}[${t}] must be [${B < 0 ? "batch" : B}, ${D}] float32 (got ${got})`,
      );
    }
  });
  return B;
}

/** Checks that a carry has exactly the layer's parts, each [B, width] float32. */
export function checkCarry(
  what: string,
  carry: Carry,
  sizes: Readonly<Record<string, number>>,
  B: number,
  name = "carry",
): void {
  const want = Object.keys(sizes).sort();
  const got = Object.keys(carry ?? {}).sort();
  if (want.join() !== got.join()) {
    throw new Error(
      `${what}: ${name} must have parts {${want.join(", ")}} (got {${got.join(", ")}})`,
    );
  }
  for (const k of want) {
    const c = carry[k];
    if (
      !(c instanceof tf.Tensor) ||
      c.rank !== 2 ||
      c.shape[0] !== B ||
      c.shape[1] !== sizes[k] ||
      c.dtype !== "float32"
    ) {
      throw new Error(
        `${what}: ${name}.${k} must be [${B}, ${sizes[k]}] float32 (got ${c instanceof tf.Tensor ? shapeText(c) : typeof c})`,
      );
    }
  }
}

/** Checks that `dys` has one entry (tensor [B, width] or null) per step. */
export function checkGradients(
  what: string,
  dys: unknown,
  T: number,
  B: number,
  width: number,
): void {
  if (!Array.isArray(dys) || dys.length !== T) {
    throw new Error(
      `${what}: dys must have one entry per time step (${T}), each [${B}, ${width}] or null`,
    );
  }
  dys.forEach((d: unknown, t) => {
    if (d === null) return;
    if (!(d instanceof tf.Tensor) || d.rank !== 2 || d.shape[0] !== B || d.shape[1] !== width) {
      throw new Error(
        `${what}: dys[${t}] must be [${B}, ${width}] or null (got ${d instanceof tf.Tensor ? shapeText(d) : typeof d})`,
      );
    }
  });
}

/** Checks params: every name of the layer present with its shape. */
export function checkParams(
  what: string,
  p: Params,
  shapes: Readonly<Record<string, readonly number[]>>,
): void {
  for (const [k, s] of Object.entries(shapes)) {
    const v = p?.[k];
    if (!(v instanceof tf.Tensor) || v.shape.join() !== s.join()) {
      throw new Error(
        `${what}: parameter ${k} must be [${s.join(", ")}] (got ${v instanceof tf.Tensor ? shapeText(v) : "nothing"})`,
      );
    }
  }
}

/** Names with a prefix: {Wx} → {"fw.Wx"}. */
export function prefixed<T>(rec: Record<string, T>, prefix: string): Record<string, T> {
  return Object.fromEntries(Object.entries(rec).map(([k, v]) => [prefix + k, v]));
}

/** The entries under a prefix, with it removed: {"fw.Wx", "bw.Wx"}, "fw." → {Wx}. */
export function unprefixed<T>(rec: Record<string, T>, prefix: string): Record<string, T> {
  return Object.fromEntries(
    Object.entries(rec)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
}

/** Disposes every tensor in a list of containers (records/arrays), each once. */
export function disposeAll(...containers: unknown[]): void {
  const seen = new Set<number>();
  const visit = (x: unknown): void => {
    if (x instanceof tf.Tensor) {
      if (!seen.has(x.id)) {
        seen.add(x.id);
        if (!x.isDisposed) x.dispose();
      }
    } else if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === "object") Object.values(x).forEach(visit);
  };
  containers.forEach(visit);
}
