/**
 * A training loop for notebooks: steps of a Trainer with a live progress display.
 *
 *   const run = await rnn.fit(tr, (s) => rnn.firstSymbolBatch({ T: 50, batch: 32, seed: s }), {
 *     steps: 200,
 *     label: "LSTM, T = 50",
 *   });
 *   run.losses          // the loss of every step
 *
 * `batches` is an array of Batch, cycled through (the caller owns and disposes them), or a
 * function of the step index whose returned batch fit disposes after that step (every tensor in
 * it). fit yields to the event loop every `yieldEvery` steps, so the kernel can take an
 * interrupt request and the timers of the code around it run while it trains (the progress
 * display itself is sent as it is made and needs no yield).
 */
import { disposeAll } from "../layer";
import type { Model } from "../model";
import { BatchFor, StepOptions, StepResult, Trainable, Trainer } from "../train";

/** What fit steps: a Trainer, or anything that steps the same way (parallelTrainer: async). */
export interface Steppable<M extends Trainable = Model> {
  learningRate: number;
  step(batch: BatchFor<M>, options?: StepOptions): StepResult | Promise<StepResult>;
  resetState(): void | Promise<void>;
}
import { progress } from "./progress";

export interface FitOptions {
  /** Training steps to take. */
  steps: number;
  /** Shown before the progress bar. */
  label?: string;
  /** The unit of the progress display's rate. */
  unit?: string;
  /**
   * Index of the first step, to continue an earlier run: step s uses batches(s) or
   * batches[s % batches.length], learningRate(s), and resets when s % resetEvery is 0.
   */
  start?: number;
  /** A learning-rate schedule: `tr.learningRate = learningRate(step)` before each step. */
  learningRate?: (step: number) => number;
  /** Reset a stateful trainer's carry before each step whose index is a multiple of this. */
  resetEvery?: number;
  /** Passed to every `trainer.step` (e.g. `{ gradNorms: true }`, `{ truncate: 10 }`). */
  stepOptions?: StepOptions;
  /** Called after each step with its result and index. */
  onStep?: (result: StepResult, step: number) => void;
  /** Call `onEvery` after every `every` steps of this run, and after its last step. */
  every?: number;
  /**
   * A periodic evaluation (validation loss, a sample…); a number it returns is kept in
   * `evaluations`. `step` is the index of the step just taken + 1 (steps taken, when start = 0).
   */
  onEvery?: (step: number) => number | void | Promise<number | void>;
  /** End the run (instead of throwing) when a step fails, e.g. on a NaN loss; see `error`. */
  stopOnError?: boolean;
  /** Yield to the event loop every this many steps (interrupts, timers). */
  yieldEvery?: number;
  /** Show the progress display. */
  display?: boolean;
}

export interface FitResult {
  /** The loss of each step taken. */
  losses: number[];
  /** The global gradient norm of each step, before clipping. */
  gradNorms: number[];
  /** What `onEvery` returned, with the step count it ran after. */
  evaluations: { step: number; value: number }[];
  /** Wall time of the whole run, and the part of it spent in `trainer.step`. */
  seconds: number;
  stepSeconds: number;
  /** With `stopOnError`: the message of the step that failed. */
  error?: string;
}

const positiveInt = (name: string, v: number | undefined) => {
  if (v !== undefined && !(Number.isInteger(v) && v > 0))
    throw new Error(`fit: ${name} must be a positive integer (got ${v})`);
};

export async function fit<M extends Trainable = Model>(
  trainer: Trainer<M> | Steppable<M>,
  batches: BatchFor<M>[] | ((step: number) => BatchFor<M>),
  {
    steps,
    label = "",
    unit = "step",
    start = 0,
    learningRate,
    resetEvery,
    stepOptions = {},
    onStep,
    every,
    onEvery,
    stopOnError = false,
    yieldEvery = 10,
    display = true,
  }: FitOptions,
): Promise<FitResult> {
  if (!(Number.isInteger(steps) && steps > 0))
    throw new Error(`fit: steps must be a positive integer (got ${steps})`);
  positiveInt("every", every);
  positiveInt("resetEvery", resetEvery);
  positiveInt("yieldEvery", yieldEvery);
  if (!(Number.isInteger(start) && start >= 0))
    throw new Error(`fit: start must be a non-negative integer (got ${start})`);
  if (onEvery && every === undefined) throw new Error("fit: onEvery needs every (a step count)");
  if (stepOptions.returnCarry)
    throw new Error(
      "fit: stepOptions.returnCarry is not supported; use trainer({ stateful: true })",
    );
  const owned = typeof batches === "function";
  if (!owned) {
    if (!Array.isArray(batches))
      throw new Error("fit: batches must be an array of Batch or a function (step) => Batch");
    if (batches.length === 0)
      throw new Error(
        "fit: batches is empty; give at least one Batch or a function (step) => Batch",
      );
  }
  const batchAt = (s: number): BatchFor<M> =>
    owned ? batches(s) : (batches as BatchFor<M>[])[s % batches.length];
  const result: FitResult = {
    losses: [],
    gradNorms: [],
    evaluations: [],
    seconds: 0,
    stepSeconds: 0,
  };
  const bar = display ? progress({ total: steps, label, unit }) : undefined;
  const t0 = performance.now();
  for (let s = start; s < start + steps; s++) {
    if (resetEvery !== undefined && s % resetEvery === 0) await trainer.resetState();
    if (learningRate) trainer.learningRate = learningRate(s);
    const b = batchAt(s);
    let r: StepResult;
    try {
      const t1 = performance.now();
      r = await trainer.step(b, stepOptions);
      result.stepSeconds += (performance.now() - t1) / 1000;
    } catch (e) {
      if (!stopOnError) throw e;
      result.error = (e as Error).message;
      break;
    } finally {
      if (owned) disposeAll(b);
    }
    result.losses.push(r.loss);
    result.gradNorms.push(r.gradNorm);
    onStep?.(r, s);
    bar?.tick(1, `loss ${r.loss.toFixed(3)}`);
    const taken = s + 1 - start;
    if (onEvery && (taken % (every as number) === 0 || taken === steps)) {
      const value = await onEvery(s + 1);
      if (typeof value === "number") result.evaluations.push({ step: s + 1, value });
      await nextTurn();
    } else if (taken % yieldEvery === 0) await nextTurn();
  }
  result.seconds = (performance.now() - t0) / 1000;
  const last = result.losses[result.losses.length - 1];
  bar?.done(
    result.error
      ? `stopped after ${result.losses.length} steps`
      : last !== undefined
        ? `loss ${last.toFixed(3)}`
        : "",
  );
  return result;
}

/** Resolves on the next turn of the event loop (after pending I/O callbacks). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
