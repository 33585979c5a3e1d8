/**
 * Asynchronous SGD with a parameter server (Downpour SGD, Dean et al. 2012; the setting of
 * Sak et al. 2014's distributed LSTM training): the main thread holds the parameters, each
 * worker pulls them, computes a gradient on its own batch and pushes it; the server applies
 * every push as it arrives, one update each.
 *
 *   worker j:  θ_j ← pull();   g_j = ∇L(θ_j; batch)              (θ_j is some versions old)
 *   server:    on push g_j:    θ ← opt(θ, clip(g_j));   staleness = updates since j pulled
 *
 * Nobody waits for the slowest worker, at a price: a gradient is applied to parameters that
 * moved since it was computed. The staleness of each update is measured and returned.
 *
 * `emulate: V` studies V workers on fewer cores: V virtual workers take turns on the real
 * ones, each computing from the parameters it pulled after its previous push, so each gradient
 * is as stale as with V workers of equal speed (V − 1 updates in the steady state), whatever
 * the number of cores. `delayMs` makes every job that much slower (a farther or slower worker).
 *
 *   const tr = await rnn.asyncTrainer({ model, workers: 2, emulate: 8, learningRate: 1e-3 });
 *   const run = await tr.run({ updates: 200, batches: (k) => batchAt(k) });
 *   run.staleness     // per update
 *   await tr.dispose();
 */
import type * as tf from "@tensorflow/tfjs";
import type { AdamState } from "../adam";
import { subSeed } from "../init";
import { disposeAll } from "../layer";
import { Batch, Model } from "../model";
import type { TrainerOptions } from "../train";
import { checkWorkers, startTrainer } from "./pool";
import { buffersOf, packBatch } from "./rows";
import { sumGrads, writeParams } from "./slots";
import type { Fault } from "./protocol";

export interface AsyncTrainerOptions extends Omit<TrainerOptions<Model>, "stateful"> {
  /** Worker threads (default 2). */
  workers?: number;
  /** Virtual workers taking turns on the threads (default: as many as threads). */
  emulate?: number;
  /** Extra milliseconds each job takes (default 0). */
  delayMs?: number;
}

export interface AsyncRunOptions {
  /** Updates to apply (= gradients pushed). */
  updates: number;
  /** The batch of the k-th gradient (k = 0, 1, …); the run disposes it once it is sent. */
  batches: (k: number) => Batch;
  /** Called after each update. */
  onUpdate?: (u: AsyncUpdate) => void;
  /** For the tests of failure handling: make worker `worker`'s `job`-th job fail this way. */
  fault?: { worker: number; job: number; kind: Fault };
}

export interface AsyncUpdate {
  /** Index of the update (0, 1, …) and of the batch whose gradient it applied. */
  update: number;
  batch: number;
  loss: number;
  gradNorm: number;
  /** Updates the server applied between this gradient's pull and its push. */
  staleness: number;
  /** The thread that computed it, and the virtual worker it computed for. */
  worker: number;
  virtual: number;
  /** Seconds since the run started, when the update was applied. */
  seconds: number;
  /** Milliseconds the worker spent on this gradient (with any `delayMs`). */
  workerMs: number;
}

export interface AsyncTrainer {
  readonly model: Model;
  readonly params: Record<string, tf.Variable>;
  readonly steps: number;
  readonly workers: number;
  /** Virtual workers (emulate). */
  readonly virtualWorkers: number;
  learningRate: number;
  run(options: AsyncRunOptions): Promise<AsyncUpdate[]>;
  optimizerState(): AdamState;
  workerTensors(): Promise<number[]>;
  dispose(): Promise<void>;
}

const WHAT = "asyncTrainer";

export async function asyncTrainer({
  workers = 2,
  emulate,
  delayMs = 0,
  ...options
}: AsyncTrainerOptions): Promise<AsyncTrainer> {
  checkWorkers(WHAT, workers);
  const V = emulate ?? workers;
  if (!(Number.isInteger(V) && V >= workers && V <= 1024))
    throw new Error(
      `${WHAT}: emulate must be an integer from workers (${workers}) to 1024 (got ${emulate})`,
    );
  if (!(Number.isFinite(delayMs) && delayMs >= 0))
    throw new Error(`${WHAT}: delayMs must be a non-negative number (got ${delayMs})`);
  const { pool, u } = await startTrainer(WHAT, workers, options);
  const layout = pool.layout;
  const { model, seed = 0 } = options;
  const dropoutSeed = subSeed(seed, 1000); //   as trainer(): step k's masks from subSeed(…, k)
  // what each virtual worker pulled, and the server's update count when it pulled
  const pulled = Array.from({ length: V }, () => new Float32Array(layout.total));
  const pulledAt: number[] = [];
  const pull = (j: number) => {
    writeParams(layout, u.vars, pulled[j]);
    pulledAt[j] = u.steps;
  };
  for (let j = 0; j < V; j++) pull(j);
  let running = false;
  return {
    model,
    params: u.vars,
    workers,
    virtualWorkers: V,
    get steps() {
      return u.steps;
    },
    get learningRate() {
      return u.learningRate;
    },
    set learningRate(lr: number) {
      u.learningRate = lr;
    },
    async run({ updates, batches, onUpdate, fault }) {
      if (!(Number.isInteger(updates) && updates > 0))
        throw new Error(`${WHAT}: updates must be a positive integer (got ${updates})`);
      if (typeof batches !== "function")
        throw new Error(`${WHAT}: batches must be a function (k) => Batch`);
      if (running) throw new Error(`${WHAT}: a run is in progress; await it first`);
      running = true;
      const t0 = performance.now();
      const out: AsyncUpdate[] = [];
      const turns = Array.from({ length: V }, (_, j) => j); //  virtual workers waiting, in turn
      let sent = 0;
      const jobsOf = new Array<number>(workers).fill(0);
      let failure: Error | undefined;
      // one lane per thread: take the next virtual worker, compute, push, repeat
      const lane = async (w: number) => {
        while (sent < updates && failure === undefined) {
          const k = sent++;
          const j = turns.shift()!;
          let raw;
          const b = batches(k);
          try {
            raw = packBatch(WHAT, b);
          } finally {
            disposeAll(b);
          }
          pool.params(w).set(pulled[j]); //                                    the pull
          const nth = jobsOf[w]++;
          const m = await pool.run<"done">(
            w,
            {
              type: "grad",
              batch: raw,
              scale: 1,
              seed: subSeed(dropoutSeed, k),
              stateful: false,
              delayMs,
              fault: fault && fault.worker === w && fault.job === nth ? fault.kind : undefined,
            },
            buffersOf(raw),
          );
          const grads = sumGrads(layout, [pool.grads(w)]); //                  the push
          const staleness = u.steps - pulledAt[j];
          const r = u.apply(m.loss, grads);
          const upd: AsyncUpdate = {
            update: out.length,
            batch: k,
            ...r,
            staleness,
            worker: w,
            virtual: j,
            seconds: (performance.now() - t0) / 1000,
            workerMs: m.ms,
          };
          out.push(upd);
          pull(j); //                                  j pulls the new parameters for its next turn
          turns.push(j);
          onUpdate?.(upd);
        }
      };
      try {
        const lanes = Array.from({ length: workers }, (_, w) => lane(w));
        await Promise.all(lanes.map((l) => l.catch((e: Error) => void (failure ??= e))));
        if (failure) throw failure; //           after every lane has stopped: nothing is in flight
        return out;
      } finally {
        running = false;
      }
    },
    optimizerState: () => u.optimizerState(),
    async workerTensors() {
      const all = Array.from({ length: workers }, (_, w) => w);
      const r = await Promise.all(all.map((w) => pool.run<"tensors">(w, { type: "tensors" })));
      return r.map((m) => m.numTensors);
    },
    async dispose() {
      await pool.close();
      u.dispose();
    },
  };
}
