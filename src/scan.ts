/**
 * Unrolling a cell over time (the scan) and backpropagation through time (the reverse scan).
 *
 *   forward:  carry_t = step(carry_{t−1}, x_t),  y_t = carry_t.h            t = 1 … T
 *   backward: dcarry_{t−1} = backStep(dcarry_t + dy_t),  dθ = Σ_t dθ_t      t = T … 1
 *
 * With a mask m_t [B, 1]:  carry_t = m_t ⊙ step(carry_{t−1}, x_t) + (1 − m_t) ⊙ carry_{t−1},
 * so a padded step leaves the carry as it was. With `truncate: k2` the carry gradient is not
 * passed from step t to t−1 when t is a multiple of k2.
 */
import * as tf from "@tensorflow/tfjs";
import { Carry, Cell, Outer, Params, StepRecord } from "./cells/cell";
import { fusedAvailable, splitRows } from "./kernels";
import { maskSteps } from "./mask";
import { project } from "./projection";
import {
  checkCarry,
  checkGradients,
  checkParams,
  checkSequence,
  cloneCarry,
  disposeAll,
  Grads,
  Layer,
  Pass,
  zeroCarry,
} from "./layer";

type StepOut = {
  dPrev: Carry;
  dx: tf.Tensor2D | null; //   reference path
  dzx: tf.Tensor2D | null; //  fused path: ∂L/∂Zx rows of this step
  added: Params; //           running sums with this step's tensor gradients added
  outers: Record<string, Outer>; // this step's outer-product gradients
  norm: tf.Scalar | undefined;
};

const mapCarry = (c: Carry, f: (v: tf.Tensor2D, k: string) => tf.Tensor) =>
  Object.fromEntries(Object.entries(c).map(([k, v]) => [k, f(v, k) as tf.Tensor2D])) as Carry;

/** The transpose of every matrix parameter, for products with Wᵀ in the backward steps. */
function transposes(p: Params, shapes: Cell["shapes"]): Params {
  return tf.tidy(() =>
    Object.fromEntries(
      Object.keys(shapes)
        .filter((k) => shapes[k].length === 2)
        .map((k) => [k, tf.transpose(p[k])]),
    ),
  );
}

/**
 * Aᵀ B for A [N, m], B [N, n] (Σ_t a_tᵀ b_t with the steps stacked). wasm's matMul packs its
 * right operand afresh at each call, in time proportional to its size, so the narrower matrix
 * goes on the right: Aᵀ B = (Bᵀ A)ᵀ when n > m (for an LSTM's ∂Wh: B = dz is 4× wider than A = h).
 */
function sumOfOuters(A: tf.Tensor2D, B: tf.Tensor2D): tf.Tensor2D {
  return B.shape[1] > A.shape[1]
    ? tf.transpose(tf.matMul(tf.transpose(B), A) as tf.Tensor2D)
    : tf.matMul(tf.transpose(A), B);
}

/** Checks a truncation length. */
function checkTruncate(what: string, k2: number | undefined): void {
  if (k2 !== undefined && (!Number.isInteger(k2) || k2 <= 0))
    throw new Error(`${what}: truncate must be a positive integer number of steps (got ${k2})`);
}

/** The Layer that runs `cell` over a sequence. */
export function unroll(cell: Cell): Layer {
  const H = cell.hiddenSize;
  const carrySizes = Object.fromEntries(cell.carryNames.map((k) => [k, H]));
  const layer: Layer = {
    name: cell.name,
    inputSize: cell.inputSize,
    outputSize: H,
    shapes: cell.shapes,
    carrySizes,
    init: (seed) => cell.init(seed),

    forward(p, xs, { carry, mask } = {}): Pass {
      const B = checkSequence(cell.name, xs, cell.inputSize);
      checkParams(cell.name, p, cell.shapes);
      if (carry !== undefined) checkCarry(cell.name, carry, carrySizes, B);
      const T = xs.length;
      const m = mask === undefined ? null : maskSteps(cell.name, mask, B, T);
      const initial = carry ?? zeroCarry(layer, B);
      // the fused path (kernels.ts): Zx = X W + b for all steps at once, fused kernels per step
      const f = m === null && fusedAvailable() ? cell.fused : undefined;
      const proj = f ? project(xs, p[f.input.W] as tf.Tensor2D, p[f.input.b] as tf.Tensor1D) : null;

      const records: StepRecord[] = []; //   what each step's backward needs
      const states: Carry[] = []; //          carry after each step (= next, or masked blend)
      let prev = initial;
      for (let t = 0; t < T; t++) {
        const out = tf.tidy(() => {
          const { next, cache } = f
            ? f.step(p, prev, { all: proj!.Zx, start: t * B })
            : cell.step(p, prev, xs[t]);
          if (m === null) return { next, cache, state: next };
          const keep = tf.sub(1, m[t]); //                                   1 − m_t
          const state = Object.fromEntries(
            Object.keys(next).map((k) => [k, tf.add(tf.mul(m[t], next[k]), tf.mul(keep, prev[k]))]),
          );
          return { next, cache, state };
        }) as { next: Carry; cache: StepRecord["cache"]; state: Carry };
        records.push({ x: xs[t], prev, next: out.next, cache: out.cache });
        states.push(out.state);
        prev = out.state;
      }

      return {
        ys: states.map((s) => s.h),
        carry: prev,

        backward(dys, { dCarry, truncate, gradNorms = false, inputGrads = true } = {}): Grads {
          checkGradients(cell.name, dys, T, B, H);
          checkTruncate(cell.name, truncate);
          if (dCarry !== undefined) checkCarry(cell.name, dCarry, carrySizes, B, "dCarry");
          let dState: Carry = dCarry ? cloneCarry(dCarry) : zeroCarry(layer, B);
          const pT = transposes(p, cell.shapes); //                     Wᵀ once per pass, not per step
          const sums: Params = {}; //                                   running Σ_t of tensor gradients
          const outers: Record<string, Outer[]> = {}; //                 per step, for Σ_t a_tᵀ b_t later
          const dxs: tf.Tensor2D[] = inputGrads ? new Array(T) : [];
          const dzxs: tf.Tensor2D[] = f ? new Array(T) : []; //          fused: ∂L/∂Zx per step
          const norms: tf.Scalar[] = [];
          for (let t = T - 1; t >= 0; t--) {
            const out = tf.tidy(() => {
              const dy = dys[t];
              const dS: Carry = dy ? { ...dState, h: tf.add(dState.h, dy) } : dState; //  ∂L/∂carry_t
              const norm = gradNorms ? tf.norm(dS.h) : undefined;
              let dNext = dS; //                                                           into the cell
              let dHeld: Carry | null = null; //                                           past a padded step
              if (m !== null) {
                const keep = tf.sub(1, m[t]);
                dNext = mapCarry(dS, (v) => tf.mul(v, m[t]));
                dHeld = mapCarry(dS, (v) => tf.mul(v, keep));
              }
              const step = f
                ? { dx: null, ...f.backStep(p, pT, records[t], dNext) }
                : { dzx: null, ...cell.backStep(p, pT, records[t], dNext) };
              let dPrev: Carry = dHeld
                ? mapCarry(step.dPrev, (v, k) => tf.add(v, dHeld![k]))
                : step.dPrev;
              if (truncate !== undefined && t % truncate === 0)
                dPrev = mapCarry(dPrev, (v) => tf.zerosLike(v));
              const added: Params = {};
              const outs: Record<string, Outer> = {};
              for (const [k, g] of Object.entries(step.dParams)) {
                if (g instanceof tf.Tensor) added[k] = k in sums ? tf.add(sums[k], g) : g;
                else outs[k] = g;
              }
              const out = {
                dPrev,
                dx: step.dx,
                dzx: step.dzx,
                added,
                outers: outs,
                norm,
              } as StepOut;
              return out as unknown as tf.TensorContainer;
            }) as unknown as StepOut;
            disposeAll(
              dState,
              Object.keys(out.added).map((k) => sums[k]),
            );
            Object.assign(sums, out.added);
            for (const [k, o] of Object.entries(out.outers)) (outers[k] ??= new Array(T))[t] = o;
            dState = out.dPrev;
            if (out.dx && inputGrads) dxs[t] = out.dx;
            else out.dx?.dispose();
            if (out.dzx) dzxs[t] = out.dzx;
            if (out.norm) norms.push(out.norm);
          }
          const dParams: Params = { ...sums };
          tf.tidy(() => {
            // Σ_t a_tᵀ b_t = [a_1; …; a_T]ᵀ [b_1; …; b_T]; lists shared by several weights
            // (LSTM's dz feeds Wx and Wh) are concatenated once
            const stacked = new Map<string, tf.Tensor2D>();
            const rows = (list: tf.Tensor2D[]) => {
              const key = list.map((t) => t.id).join();
              if (!stacked.has(key)) stacked.set(key, tf.concat(list, 0));
              return stacked.get(key) as tf.Tensor2D;
            };
            for (const [k, list] of Object.entries(outers)) {
              const b = rows(list.map((o) => o.b));
              const as = list.map((o) => o.a);
              dParams[k] = tf.keep(
                as[0] === null ? tf.sum(b, 0) : sumOfOuters(rows(as as tf.Tensor2D[]), b),
              ) as tf.Tensor;
            }
            if (f) {
              // the input side for all steps at once (projection.ts), and dx_t = dzx_t Wᵀ
              const dZx = rows(dzxs); //                                        [T·B, G·H]
              const { dW, db } = proj!.grads(dZx);
              dParams[f.input.W] = tf.keep(dW);
              dParams[f.input.b] = tf.keep(db);
              if (inputGrads) {
                const dX = tf.matMul(dZx, pT[f.input.W] as tf.Tensor2D) as tf.Tensor2D;
                splitRows(dX, T).forEach((d, t) => (dxs[t] = tf.keep(d)));
              }
            }
          });
          disposeAll(
            pT,
            Object.values(outers).map((list) => list.map((o) => o.b)),
            dzxs,
          );
          const result: Grads = { dParams, dxs, dCarry: dState };
          if (gradNorms) {
            const stacked = tf.stack(norms);
            const values = Array.from(stacked.dataSync()).reverse(); //        back in time order
            disposeAll(norms, stacked);
            result.gradNorms = { h: values };
          }
          return result;
        },

        dispose() {
          proj?.dispose();
          disposeAll(
            proj?.Zx,
            records.map((r) => [r.next, r.cache]),
            states,
            m,
            carry === undefined ? initial : null,
          );
        },
      };
    },
  };
  return layer;
}
