/**
 * A cell run step by step with what each step computed read back as numbers: the carry after
 * each step (h, c) and the step's cache (the gates by their names in the cell's equations:
 * i, f, g, o for the LSTM; z, r, n for the GRU; …). For gate traces and cell-state heatmaps.
 * It runs the reference step (the equations as written) and frees every tensor it makes.
 */
import * as tf from "@tensorflow/tfjs";
import type { Carry, Cell, Params } from "./cells/cell";
import { checkCarry, checkParams, checkSequence, disposeAll, zeroCarry } from "./layer";
import { unroll } from "./scan";
import { tfOps } from "./ops";

export interface StepTrace {
  /** Carry part → per step, its [B, H] values row-major. */
  carry: Record<string, number[][]>;
  /** Cache entry → per step, its values row-major. */
  cache: Record<string, number[][]>;
}

export function traceSteps(
  cell: Cell,
  params: Params,
  xs: tf.Tensor2D[],
  { carry }: { carry?: Carry } = {},
): StepTrace {
  const B = checkSequence(cell.name, xs, cell.inputSize);
  checkParams(cell.name, params, cell.shapes);
  const layer = unroll(cell); //                                  its carry's parts and sizes
  if (carry !== undefined) checkCarry(cell.name, carry, layer.carrySizes, B);
  const trace: StepTrace = { carry: {}, cache: {} };
  const put = (into: Record<string, number[][]>, values: Record<string, tf.Tensor>) => {
    for (const [k, v] of Object.entries(values)) (into[k] ??= []).push(Array.from(v.dataSync()));
  };
  let prev: Carry = carry ?? zeroCarry(layer, B);
  for (const x of xs) {
    const { next, cache } = tf.tidy(() => cell.step(tfOps, params, prev, x)) as {
      next: Carry;
      cache: Record<string, tf.Tensor>;
    };
    put(trace.carry, next);
    put(trace.cache, cache);
    const kept = new Set(Object.values(next));
    disposeAll(
      Object.values(cache).filter((t) => !kept.has(t as tf.Tensor2D)),
      prev === carry ? null : prev,
    );
    prev = next;
  }
  disposeAll(prev === carry ? null : prev);
  return trace;
}
