/**
 * Training: parameters as tf.Variables, gradients from our BPTT, updates by a tfjs optimizer.
 *
 *   const tr = trainer({ model: m, seed: 1, optimizer: "adam", learningRate: 1e-3, clipNorm: 5 });
 *   const { loss } = tr.step(batch);          // one update
 *   tr.dispose();
 *
 * Stateful training (`stateful: true`) passes each step's final carry to the next step;
 * `resetState()` starts again from zeros.
 *
 * Bad data and divergence are told apart. Non-finite inputs or targets (and softmax targets
 * that are not one-hot) are refused by `lossAndGrads` before anything changes. A step whose
 * loss or gradient norm is not finite, or (with `maxLossRatio`) whose loss exceeds that many
 * times the first step's, means the last update went wrong: the trainer goes back to the
 * parameters and optimizer state it had before that update and throws, so lowering the
 * learning rate and stepping again continues from good values.
 */
import * as tf from "@tensorflow/tfjs";
import { AdamState, adamState, restoreAdam } from "./adam";
import { FusedAdam } from "./fast/adam";
import { Carry, disposeAll, Params } from "./layer";
import { Batch, initModel, lossAndGrads, Model } from "./model";
import {
  initSeq2Seq,
  isSeq2Seq,
  Seq2Seq,
  Seq2SeqBatch,
  seq2seqLossAndGrads,
} from "./seq2seq/model";
import { clipByGlobalNorm, clipByValue, globalNorm } from "./clip";
import { Snapshot, snapshot } from "./rollback";
import { rng, subSeed } from "./init";

export type OptimizerName = "adam" | "rmsprop" | "sgd" | "adagrad";
export const OPTIMIZERS: readonly OptimizerName[] = ["adam", "rmsprop", "sgd", "adagrad"];

function checkLearningRate(lr: number): void {
  if (!(Number.isFinite(lr) && lr > 0))
    throw new Error(`trainer: learningRate must be a positive number (got ${lr})`);
}

export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  checkLearningRate(learningRate);
  if (name === "adam") return new FusedAdam(learningRate); // tf.train.adam, fused on wasm
  if (name === "rmsprop") return tf.train.rmsprop(learningRate);
  if (name === "sgd") return tf.train.sgd(learningRate);
  if (name === "adagrad") return tf.train.adagrad(learningRate);
  throw new Error(
    `trainer: optimizer must be one of ${OPTIMIZERS.join(", ")} (got ${JSON.stringify(name)})`,
  );
}

/** What a trainer trains: a model (model.ts) or an encoder–decoder (seq2seq/model.ts). */
export type Trainable = Model | Seq2Seq;

/** The batch a trainer of M steps on: pairBatch's for an encoder–decoder. */
export type BatchFor<M extends Trainable> = M extends Seq2Seq ? Seq2SeqBatch : Batch;

export interface TrainerOptions<M extends Trainable = Model> {
  /** A model, or an encoder–decoder (then batches are pairBatch's). */
  model: M;
  /** Seed of the initial parameters (ignored when `params` is given). */
  seed?: number;
  /** Start from these parameters (copied). */
  params?: Params;
  optimizer?: OptimizerName;
  learningRate?: number;
  /** Clip gradients to this global norm. */
  clipNorm?: number;
  /** Clip each gradient element to ±clipValue. */
  clipValue?: number;
  /** Carry the final state of each step into the next. */
  stateful?: boolean;
  /** Adam's saved state (from `trainer.optimizerState()` or a checkpoint), to resume exactly. */
  optimizerState?: AdamState;
  /** Stop (and undo the last update) when a loss exceeds this many times the first (char-rnn: 3). */
  maxLossRatio?: number;
}

export interface StepResult {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** ‖∂L/∂h_t‖ per step, when asked for. */
  gradNorms?: Record<string, number[]>;
  /** The final carry, when asked for with `returnCarry` (the caller disposes it). */
  carry?: Carry;
}

export interface StepOptions {
  /** Truncation k2 of the carry gradient. */
  truncate?: number;
  /** Also return ‖∂L/∂h_t‖ per step. */
  gradNorms?: boolean;
  /** Hand back the final carry (for chaining chunks by hand). */
  returnCarry?: boolean;
}

export interface Trainer<M extends Trainable = Model> {
  readonly model: M;
  /** The parameters (tf.Variables), by name. */
  readonly params: Params;
  /** Steps taken. */
  readonly steps: number;
  /** The optimizer's learning rate; assign to change it between steps (a schedule). */
  learningRate: number;
  step(batch: BatchFor<M>, options?: StepOptions): StepResult;
  /** Forgets the carried state (stateful training): the next step starts from zeros. */
  resetState(): void;
  /** A copy of Adam's moments by parameter name and its step count (adam only), to save. */
  optimizerState(): AdamState;
  dispose(): void;
}

let trainerCount = 0;

/** What a trainer and the parallel trainers (parallel/) share: parameters and their updates. */
export interface UpdaterOptions {
  initial: Params;
  /** Copy `initial` (the caller keeps it) instead of taking it over. */
  copy: boolean;
  optimizer: OptimizerName;
  learningRate: number;
  clipNorm?: number;
  clipValue?: number;
  optimizerState?: AdamState;
  maxLossRatio?: number;
}

/**
 * Parameters (tf.Variables) and one optimizer, updated from a loss and its gradients: clipping,
 * the divergence check (undo and throw) and the update itself, in the parameters' order.
 */
export interface Updater {
  readonly vars: Record<string, tf.Variable>;
  readonly steps: number;
  learningRate: number;
  /** Clips, checks, updates; returns the loss and the norm before clipping. Takes `grads` over. */
  apply(loss: number, grads: Params): { loss: number; gradNorm: number };
  optimizerState(): AdamState;
  dispose(): void;
}

/** Checks the limits every trainer takes, with the trainer's name in the errors. */
export function checkLimits(
  what: string,
  { clipNorm, clipValue, maxLossRatio }: Partial<UpdaterOptions>,
): void {
  for (const [k, v] of Object.entries({ clipNorm, clipValue, maxLossRatio })) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0))
      throw new Error(`${what}: ${k} must be a finite positive number (got ${v})`);
  }
  if (maxLossRatio !== undefined && maxLossRatio <= 1)
    throw new Error(`${what}: maxLossRatio must be above 1 (got ${maxLossRatio}); char-rnn uses 3`);
}

export function updater({
  initial,
  copy,
  optimizer,
  learningRate,
  clipNorm,
  clipValue,
  optimizerState,
  maxLossRatio,
}: UpdaterOptions): Updater {
  const opt = makeOptimizer(optimizer, learningRate); //      made after every check: nothing leaks
  const id = `rnnwb${++trainerCount}`;
  const vars: Record<string, tf.Variable> = {};
  for (const [k, v] of Object.entries(initial)) vars[k] = tf.variable(v, true, `${id}/${k}`);
  if (!copy) disposeAll(initial);
  const names = Object.keys(vars); //                                 the order of every update
  const adamOnly = (what: string) => {
    // (not instanceof: tfjs optimizers answer it by duck typing)
    if (optimizer !== "adam")
      throw new Error(`trainer: ${what} is kept for adam only (this trainer uses ${optimizer})`);
    return opt as tf.AdamOptimizer;
  };
  if (optimizerState !== undefined) {
    try {
      restoreAdam(adamOnly("optimizer state"), vars, optimizerState);
    } catch (e) {
      disposeAll(vars); //                              a rejected state leaves nothing behind
      opt.dispose();
      throw e;
    }
  }
  let steps = 0;
  let firstLoss: number | undefined;
  let good: Snapshot | undefined; //                      the values before the last update
  // why the last update went wrong, if it did: a loss or norm that is not finite, or too large
  const divergence = (loss: number, norm: number): string | undefined => {
    if (!Number.isFinite(loss)) return `the loss is ${loss}`;
    if (!Number.isFinite(norm)) return `the gradient norm is ${norm}`;
    if (maxLossRatio !== undefined && firstLoss !== undefined && loss > maxLossRatio * firstLoss)
      return `the loss ${loss.toPrecision(4)} is over ${maxLossRatio}× the first (${firstLoss.toPrecision(4)})`;
    return undefined;
  };
  // undoes the last update; says where the trainer now is
  const rollBack = (): string => {
    if (!good) return `no update to undo: the parameters are those after step ${steps}`;
    good.restore();
    steps = good.steps;
    good.dispose();
    good = undefined;
    return `the trainer is back at its parameters and optimizer state after step ${steps}`;
  };
  return {
    vars,
    get steps() {
      return steps;
    },
    get learningRate() {
      return (opt as unknown as { learningRate: number }).learningRate;
    },
    set learningRate(lr: number) {
      checkLearningRate(lr);
      // sgd keeps −lr as a tensor (setLearningRate); the others read the property each step
      const o = opt as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
      if (o.setLearningRate) o.setLearningRate(lr);
      else o.learningRate = lr;
    },
    apply(loss, grads) {
      try {
        let norm: number;
        if (clipNorm !== undefined) {
          const c = clipByGlobalNorm(grads, clipNorm);
          disposeAll(grads);
          grads = c.grads;
          norm = c.norm;
        } else norm = globalNorm(grads);
        const why = divergence(loss, norm);
        if (why !== undefined) {
          const at = steps + 1;
          throw new Error(
            `training diverged at step ${at}: ${why} on finite data; ${rollBack()}: lower the learning rate (trainer.learningRate) or clip gradients (clipNorm), then continue`,
          );
        }
        firstLoss ??= loss;
        good?.dispose();
        good = snapshot(vars, opt, steps); //                       kept until the next step is good
        if (clipValue !== undefined) {
          const c = clipByValue(grads, clipValue);
          disposeAll(grads);
          grads = c;
        }
        // always in the parameters' order: tfjs optimizers keep their slots by position
        opt.applyGradients(Object.fromEntries(names.map((k) => [`${id}/${k}`, grads[k]])));
        steps += 1;
        return { loss, gradNorm: norm };
      } finally {
        disposeAll(grads);
      }
    },
    optimizerState: () => adamState(adamOnly("optimizer state"), vars),
    dispose() {
      good?.dispose();
      disposeAll(vars);
      opt.dispose();
    },
  };
}

export function trainer<M extends Trainable = Model>({
  model,
  seed = 0,
  params,
  optimizer = "adam",
  learningRate = 1e-3,
  clipNorm,
  clipValue,
  stateful = false,
  optimizerState,
  maxLossRatio,
}: TrainerOptions<M>): Trainer<M> {
  checkLimits("trainer", { clipNorm, clipValue, maxLossRatio });
  if (isSeq2Seq(model) && stateful)
    throw new Error("trainer: an encoder–decoder is not stateful (each pair starts afresh)");
  makeOptimizer(optimizer, learningRate).dispose(); //      checked before any tensor is made
  const dropoutSeed = subSeed(seed, 1000); //            step k's masks: subSeed(dropoutSeed, k)
  const initial = params ?? (isSeq2Seq(model) ? initSeq2Seq(model, seed) : initModel(model, seed));
  const u = updater({
    initial,
    copy: params !== undefined,
    optimizer,
    learningRate,
    clipNorm,
    clipValue,
    optimizerState,
    maxLossRatio,
  });
  const vars = u.vars;
  let state: Carry | undefined;
  const dropState = () => {
    disposeAll(state);
    state = undefined;
  };
  return {
    model,
    params: vars,
    get steps() {
      return u.steps;
    },
    get learningRate() {
      return u.learningRate;
    },
    set learningRate(lr: number) {
      u.learningRate = lr;
    },
    step(batch, { truncate, gradNorms = false, returnCarry = false } = {}) {
      const B = (batch?.xs?.[0] as tf.Tensor | undefined)?.shape?.[0];
      const held = state && Object.values(state)[0].shape[0];
      if (
        stateful &&
        !(batch as Batch)?.carry &&
        held !== undefined &&
        B !== undefined &&
        B !== held
      )
        throw new Error(
          `trainer: the carried state is for a batch of ${held} rows but this batch has ${B}; call trainer.resetState() before a batch of another size`,
        );
      const r = isSeq2Seq(model)
        ? seq2seqStep(model, vars, batch as Seq2SeqBatch, { truncate, gradNorms })
        : lossAndGrads(
            model,
            vars,
            {
              ...(batch as Batch),
              carry: (batch as Batch).carry ?? (stateful ? state : undefined),
            },
            { truncate, gradNorms, seed: subSeed(dropoutSeed, u.steps) }, //  this step's dropout
          );
      disposeAll(r.dCarry);
      try {
        const out: StepResult = u.apply(r.loss, r.grads);
        if (r.gradNorms) out.gradNorms = r.gradNorms;
        if (returnCarry) out.carry = r.carry;
        else if (stateful) {
          dropState();
          state = r.carry;
        } else disposeAll(r.carry);
        return out;
      } catch (e) {
        disposeAll(r.carry);
        throw e;
      }
    },
    resetState: dropState,
    optimizerState: () => u.optimizerState(),
    dispose() {
      dropState();
      u.dispose();
    },
  };
}

/** An encoder–decoder's step, in lossAndGrads' shape (no carry: each pair starts afresh). */
function seq2seqStep(
  m: Seq2Seq,
  p: Params,
  batch: Seq2SeqBatch,
  { truncate, gradNorms }: StepOptions,
): { loss: number; grads: Params; carry: Carry; dCarry?: Carry; gradNorms?: undefined } {
  if (truncate !== undefined || gradNorms)
    throw new Error("trainer: truncate and gradNorms apply to recurrent models, not seq2seq");
  return { ...seq2seqLossAndGrads(m, p, batch), carry: {} };
}

export interface TruncatedOptions {
  /** Update every k1 steps (with `random`: the mean chunk length). */
  k1: number;
  /** Backpropagate at most k2 steps (k2 ≤ k1; k2 = k1 is char-rnn's truncated BPTT). */
  k2?: number;
  /**
   * Randomized truncation lengths, seeded: each chunk's length is drawn uniformly from
   * 1 … 2·k1 − 1 (mean k1; the last chunk ends with the sequence), and the gradient flows back
   * through the whole chunk (no k2). This is the plain random-length variant: the chunk
   * boundaries fall at random places instead of every k1 steps, but the backpropagated gradient
   * is not reweighted, so it stays biased towards short dependencies. Tallec & Ollivier's ARTBP
   * (2017, arXiv:1705.08209), which d2l §9.7 describes as "randomized truncation", also multiplies
   * the gradient crossing each step that is not a cut by 1/(1 − c), c the cut probability, which
   * makes it unbiased; that is not done here.
   */
  random?: { seed: number };
}

/**
 * The chunk lengths of {@link trainTruncated}'s `random` option: uniform on 1 … 2·k1 − 1 from
 * `rng(seed)`, the last one cut to end at T. They sum to T.
 */
export function randomChunkLengths(T: number, k1: number, seed: number): number[] {
  const u = rng(seed);
  const lengths: number[] = [];
  for (let s = 0; s < T;) {
    const n = Math.min(T - s, 1 + Math.floor(u() * (2 * k1 - 1)));
    lengths.push(n);
    s += n;
  }
  return lengths;
}

/**
 * Truncated BPTT(k1, k2) over one long batch: the sequence is cut into chunks of k1 steps,
 * with one update per chunk and the carry passed from chunk to chunk (no gradient crosses a
 * chunk). Inside a chunk, gradients flow back at most k2 steps: the carry gradient is cut
 * every k2 steps from the chunk's start, so the loss at a step reaches back to the start of its
 * block of k2 steps only. With `random`, the chunks have random lengths (see
 * {@link TruncatedOptions.random}). Returns the loss of each chunk.
 */
export function trainTruncated(
  tr: Trainer,
  batch: Batch,
  { k1, k2, random }: TruncatedOptions,
): number[] {
  if (!Number.isInteger(k1) || k1 <= 0)
    throw new Error(`trainTruncated: k1 must be a positive integer (got ${k1})`);
  if (random !== undefined) {
    if (typeof random !== "object" || random === null || !Number.isInteger(random.seed))
      throw new Error(
        `trainTruncated: random must be { seed } with an integer seed (got ${JSON.stringify(random)})`,
      );
    if (k2 !== undefined)
      throw new Error(
        `trainTruncated: k2 (${k2}) cannot be set with random: each random chunk is backpropagated whole`,
      );
  }
  k2 ??= k1;
  if (!Number.isInteger(k2) || k2 <= 0)
    throw new Error(`trainTruncated: k2 must be a positive integer (got ${k2})`);
  if (k2 > k1)
    throw new Error(
      `trainTruncated: k2 (${k2}) must not exceed k1 (${k1}): gradients do not cross a chunk of k1 steps`,
    );
  if (batch.mask)
    throw new Error(
      "trainTruncated: masks are not supported here; pad sequences to the same length or train them as separate batches",
    );
  if (isSeq2Seq(tr.model) || tr.model.output !== "sequence")
    throw new Error('trainTruncated: needs a model with output "sequence"');
  if (!Array.isArray(batch.xs) || batch.xs.length === 0)
    throw new Error("trainTruncated: batch.xs must be a non-empty array of steps");
  const T = batch.xs.length;
  const lengths = random
    ? randomChunkLengths(T, k1, random.seed)
    : Array.from({ length: Math.ceil(T / k1) }, (_, i) => Math.min(k1, T - i * k1));
  const losses: number[] = [];
  let carry: Carry | undefined = batch.carry;
  let s = 0;
  try {
    for (const n of lengths) {
      const e = s + n;
      const r = tr.step(
        { xs: batch.xs.slice(s, e), targets: batch.targets?.slice(s, e), carry },
        { truncate: random ? undefined : k2, returnCarry: true },
      );
      if (carry !== batch.carry) disposeAll(carry);
      carry = r.carry as Carry;
      losses.push(r.loss);
      s = e;
    }
  } finally {
    if (carry !== batch.carry) disposeAll(carry); //        also when a step throws (divergence)
  }
  return losses;
}
