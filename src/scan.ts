/**
 * Unrolling a cell over time (the scan) and backpropagation through time (the reverse scan):
 *
 *   forward:  carry_t = step(carry_{t−1}, x_t),  y_t = carry_t.h            t = 1 … T
 *   backward: dcarry_{t−1} = backStep(dcarry_t + dy_t),  dθ = Σ_t dθ_t      t = T … 1
 *
 * The steps are run by a Stepper (stepper.ts: the reference one, or the fast one that
 * src/fast/policy.ts picks); a mask blends each step with the carry before it (mask.ts, or
 * our kernels in fast/mask.ts, as policy.ts picks);
 * gradients are summed over steps by outer.ts. With `truncate: k2` the carry gradient is not
 * passed from step t to t−1 when t is a multiple of k2. In training with recurrent dropout
 * (dropout.ts), the step reads h̃_{t−1} = m_h ⊙ h_{t−1} and its gradient goes back through m_h.
 */
import * as tf from "@tensorflow/tfjs";
import { Carry, Cell, Params, StepGrads, StepRecord } from "./cells/cell";
import { fastCell, maskBlend } from "./fast/policy";
import { fastStepper } from "./fast/stepper";
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
import { disposeMask, stepMask } from "./mask";
import { checkRecurrentDropout, dropMask } from "./dropout";
import { gradientSums, rowStacker } from "./outer";
import { referenceStepper, Stepper } from "./stepper";

/** What one backward step hands out of its tidy. */
type BackOut = { dPrev: Carry; dParams: StepGrads; norm: tf.Scalar | null };

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

    forward(p, xs, { carry, mask, train } = {}): Pass {
      const B = checkSequence(cell.name, xs, cell.inputSize);
      checkParams(cell.name, p, cell.shapes);
      if (carry !== undefined) checkCarry(cell.name, carry, carrySizes, B);
      const T = xs.length;
      const rd = train?.recurrentDropout ?? 0;
      checkRecurrentDropout(cell.name, rd);
      const m = stepMask(cell.name, mask, B, T);
      const mh = rd > 0 ? dropMask(train!.seed, B, H, rd) : null; //  [B, H], one row per sequence
      const dropped: tf.Tensor[] = []; //                          h̃_{t−1} of each step (owned)
      const fast = fastCell(cell);
      const mix = m.mask && maskBlend(m.mask); //                       the blend (fast or reference)
      const stepper: Stepper = fast ? fastStepper(fast, p, xs) : referenceStepper(cell, p, xs);
      const initial = carry ?? zeroCarry(layer, B);

      const records: StepRecord[] = []; //   what each step's backward needs
      const states: Carry[] = []; //          carry after each step (= next, or masked blend)
      let prev = initial;
      for (let t = 0; t < T; t++) {
        const out = tf.tidy(() => {
          const read = mh ? { ...prev, h: tf.mul(prev.h, mh) as tf.Tensor2D } : prev; // h̃_{t−1}
          const { next, cache } = stepper.step(t, read);
          return { next, cache, read, state: mix ? mix.forward(t, next, prev) : next };
        });
        const read = out.read as Carry; //                      the carry the step read
        if (mh) dropped.push(read.h);
        records.push({ x: xs[t], prev: read, next: out.next as Carry, cache: out.cache as Carry });
        states.push(out.state as Carry);
        prev = out.state as Carry;
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
          const back = stepper.backward(pT, inputGrads);
          const sums = gradientSums(T);
          const norms: tf.Scalar[] = [];
          for (let t = T - 1; t >= 0; t--) {
            const out = tf.tidy(() => {
              const dy = dys[t];
              const dS: Carry = dy ? { ...dState, h: tf.add(dState.h, dy) } : dState; //  ∂L/∂carry_t
              const norm = gradNorms ? tf.norm(dS.h) : null;
              const dNext = mix ? mix.dNext(t, dS) : dS; //                        m_t ⊙ dS
              const step = back.back(t, records[t], dNext);
              const dRead: Carry = mh
                ? { ...step.dPrev, h: tf.mul(step.dPrev.h, mh) as tf.Tensor2D }
                : step.dPrev; //                                                 m_h ⊙ ∂L/∂h̃
              let dPrev = mix ? mix.dPrev(t, dS, dRead) : dRead; //            + (1 − m_t) ⊙ dS
              if (truncate !== undefined && t % truncate === 0)
                dPrev = mapCarry(dPrev, (v) => tf.zerosLike(v));
              return { dPrev, dParams: step.dParams, norm } as unknown as tf.TensorContainer;
            }) as unknown as BackOut;
            disposeAll(dState);
            sums.add(t, out.dParams);
            dState = out.dPrev;
            if (out.norm) norms.push(out.norm);
          }
          const { dParams, dxs } = tf.tidy(() => {
            const rows = rowStacker(); //      lists shared by several weights are stacked once
            const input = back.finish(rows);
            return { dParams: { ...sums.total(rows), ...input.dParams }, dxs: input.dxs };
          });
          sums.release();
          back.release();
          disposeAll(pT);
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
          stepper.dispose();
          disposeMask(m);
          disposeAll(mh, dropped);
          disposeAll(
            records.map((r) => [r.next, r.cache]),
            states,
            carry === undefined ? initial : null,
          );
        },
      };
    },
  };
  return layer;
}
