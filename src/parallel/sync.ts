/**
 * Synchronous data parallelism: N worker threads, each with its own tfjs and a slice of the
 * batch's rows; their gradients averaged (weighted by each slice's share of the loss, rows.ts)
 * into one gradient, one optimizer update on the main thread.
 *
 *   split:    rows [lo_k, hi_k) of the batch to worker k                          (B_k rows)
 *   compute:  worker k:  L_k, g_k = lossAndGrads(θ, rows_k)                 (in parallel)
 *   average:  L = Σ_k (W_k / W) L_k,   g = Σ_k (W_k / W) g_k           (through shared memory)
 *   update:   θ ← opt(θ, clip(g))                                      (main thread, once)
 *
 * With the same total batch this is one big batch, computed in pieces: the loss curve is the
 * single-thread trainer's, within float rounding (tested). Stateful training keeps each
 * worker's rows' carry in that worker. Dropout masks are drawn per worker (their own seeds),
 * so with dropout the run is an equally valid one, not the same one.
 *
 *   const tr = await rnn.parallelTrainer({ model, workers: 2, seed: 1, clipNorm: 5 });
 *   const { loss } = await tr.step(batch);
 *   await tr.dispose();
 */
import type * as tf from "@tensorflow/tfjs";
import { subSeed } from "../init";
import { Batch, Model } from "../model";
import { AdamState } from "../adam";
import { StepOptions, StepResult, TrainerOptions, Updater } from "../train";
import { Pool, startTrainer } from "./pool";
import { buffersOf, lossWeight, packShards, rowRanges } from "./rows";
import { sumGrads, writeParams } from "./slots";

export interface ParallelTrainerOptions extends TrainerOptions<Model> {
  /** Worker threads (default 2): the batch's rows are split across them. */
  workers?: number;
}

export interface ParallelStepResult extends StepResult {
  /** Milliseconds each worker spent on its rows (the slowest sets the pace). */
  workerMs: number[];
}

export interface ParallelTrainer {
  readonly model: Model;
  /** The parameters (tf.Variables on the main thread), by name. */
  readonly params: Record<string, tf.Variable>;
  readonly steps: number;
  readonly workers: number;
  learningRate: number;
  step(batch: Batch, options?: StepOptions): Promise<ParallelStepResult>;
  /** Forgets every worker's carried state. */
  resetState(): Promise<void>;
  optimizerState(): AdamState;
  /** tf.memory().numTensors in each worker (between steps: what the model holds there). */
  workerTensors(): Promise<number[]>;
  /** Terminates the workers and frees the parameters. */
  dispose(): Promise<void>;
}

const WHAT = "parallelTrainer";

export async function parallelTrainer({
  workers = 2,
  stateful = false,
  ...options
}: ParallelTrainerOptions): Promise<ParallelTrainer> {
  const { pool, u } = await startTrainer(WHAT, workers, options);
  return syncTrainer(options.model, pool, u, { seed: options.seed ?? 0, stateful });
}

function syncTrainer(
  model: Model,
  pool: Pool,
  u: Updater,
  { seed, stateful }: { seed: number; stateful: boolean },
): ParallelTrainer {
  const dropoutSeed = subSeed(seed, 1000);
  let heldRows: number | undefined; //        the batch size the workers' carries are for
  const all = Array.from({ length: pool.size }, (_, w) => w);
  const resetState = async () => {
    await Promise.all(all.map((w) => pool.run(w, { type: "reset" })));
    heldRows = undefined;
  };
  return {
    model,
    params: u.vars,
    workers: pool.size,
    get steps() {
      return u.steps;
    },
    get learningRate() {
      return u.learningRate;
    },
    set learningRate(lr: number) {
      u.learningRate = lr;
    },
    async step(batch, { truncate, gradNorms, returnCarry } = {}) {
      if (gradNorms || returnCarry)
        throw new Error(
          `${WHAT}: gradNorms and returnCarry are for the single-thread trainer (rnn.trainer)`,
        );
      if (pool.closed) throw new Error(`${pool.closed}; the workers are gone: make a new trainer`);
      const B = batch?.xs?.[0]?.shape?.[0];
      if (stateful && heldRows !== undefined && B !== heldRows)
        throw new Error(
          `${WHAT}: the carried state is for a batch of ${heldRows} rows but this batch has ${B}; call trainer.resetState() before a batch of another size`,
        );
      const shards = packShards(WHAT, batch, B ? rowRanges(B, pool.size) : undefined);
      const W = shards.map((s) => lossWeight(model, s));
      const total = W.reduce((a, w) => a + w, 0);
      if (!(total > 0))
        throw new Error(
          `${WHAT}: the batch has no real step (its mask is all zeros); leave it out`,
        );
      const stepSeed = subSeed(dropoutSeed, u.steps);
      const used = shards.map((_, k) => k).filter((k) => W[k] > 0); //  a shard of padding: skipped
      writeParams(pool.layout, u.vars, pool.params(used[0]));
      for (const k of used.slice(1)) pool.params(k).set(pool.params(used[0]));
      const settled = await Promise.allSettled(
        used.map((k) =>
          pool.run<"done">(
            k,
            {
              type: "grad",
              batch: shards[k],
              scale: W[k] / total, //                   the worker writes (W_k / W) g_k
              seed: subSeed(stepSeed, k),
              truncate,
              stateful,
            },
            buffersOf(shards[k]),
          ),
        ),
      );
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
      const commit = (keep: boolean) => used.forEach((k) => pool.post(k, { type: "commit", keep }));
      if (failed) {
        commit(false); //                 no update: every worker keeps the carry it started from
        throw failed.reason as Error;
      }
      const done = settled.map(
        (s) => (s as PromiseFulfilledResult<{ loss: number; ms: number }>).value,
      );
      const loss = done.reduce((s, d, i) => s + (W[used[i]] / total) * d.loss, 0);
      const grads = sumGrads(
        pool.layout,
        used.map((k) => pool.grads(k)),
      );
      let r: { loss: number; gradNorm: number };
      try {
        r = u.apply(loss, grads);
      } catch (e) {
        commit(false);
        throw e;
      }
      commit(true);
      if (stateful) heldRows = B;
      const workerMs = all.map((w) => done[used.indexOf(w)]?.ms ?? 0);
      return { ...r, workerMs };
    },
    resetState,
    optimizerState: () => u.optimizerState(),
    async workerTensors() {
      const r = await Promise.all(all.map((w) => pool.run<"tensors">(w, { type: "tensors" })));
      return r.map((m) => m.numTensors);
    },
    async dispose() {
      await pool.close();
      u.dispose();
    },
  };
}
