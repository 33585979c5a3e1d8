/**
 * A pool of worker threads (worker.ts) for one model: their shared parameter and gradient
 * slots, jobs sent and answered by id, and failure handling.
 *
 * A job that throws in a worker (bad data, say) rejects that job with the worker's one-line
 * message; the worker lives on. A worker that dies (exits, or throws outside a job) ends the
 * pool: every pending job is rejected with which worker and what happened, every worker is
 * terminated, and later calls say the pool is closed. Nothing waits forever on a dead worker.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import type { BackendName } from "../backend";
import { fusedSwitch } from "../fast/policy";
import { initModel, Model } from "../model";
import { checkLimits, makeOptimizer, TrainerOptions, Updater, updater } from "../train";
import { projectRoot } from "../project";
import { ModelSpec, specOf } from "../spec";
import { FromWorker, Job, ParamLayout, paramLayout, ToWorker, WorkerInit } from "./protocol";

export const MAX_WORKERS = 64;

export interface Pool {
  readonly size: number;
  readonly layout: ParamLayout;
  /** Worker w's parameter slot (the main thread writes it before a job). */
  params(w: number): Float32Array;
  /** Worker w's gradient slot (the worker writes it during a job). */
  grads(w: number): Float32Array;
  /** Sends a job to worker w; resolves with its answer, rejects with a one-line error. */
  run<T extends FromWorker["type"]>(
    w: number,
    m: Job,
    transfer?: ArrayBuffer[],
  ): Promise<Extract<FromWorker, { type: T }>>;
  /** Sends a message that has no answer (commit). */
  post(w: number, m: ToWorker): void;
  /** Why the pool ended, once it has. */
  readonly closed: string | undefined;
  close(): Promise<void>;
}

/** The compiled worker script: beside this file in dist/, or dist/ when run from src/ (tests). */
function workerScript(what: string): string {
  const here = join(__dirname, "worker.js");
  if (existsSync(here)) return here;
  const built = join(projectRoot(), "dist", "parallel", "worker.js");
  if (existsSync(built)) return built;
  throw new Error(`${what}: the worker script ${built} is missing; run npm run build first`);
}

/** The model's spec, or a one-line error saying how to make a model a worker can rebuild. */
export function specFor(what: string, m: Model): ModelSpec {
  const spec = specOf(m);
  if (!spec)
    throw new Error(
      `${what}: workers rebuild the model from its spec, and this one has none; make it with rnn.modelFromSpec({ layer, outputSize, … }) or rnn.charModel(…)`,
    );
  return spec;
}

export function checkWorkers(what: string, workers: number): void {
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= MAX_WORKERS))
    throw new Error(
      `${what}: workers must be an integer from 1 to ${MAX_WORKERS} (got ${workers})`,
    );
}

export async function startPool(what: string, m: Model, workers: number): Promise<Pool> {
  checkWorkers(what, workers);
  const spec = specFor(what, m);
  const script = workerScript(what);
  const layout = paramLayout(m.shapes);
  const P = layout.total;
  const params = new SharedArrayBuffer(workers * P * 4);
  const grads = new SharedArrayBuffer(workers * P * 4);
  const backend = tf.getBackend() as BackendName;
  type Pending = { resolve: (m: FromWorker) => void; reject: (e: Error) => void };
  const pending: Map<number, Pending>[] = [];
  let closed: string | undefined;
  let nextJob = 0;
  const threads: Worker[] = [];
  const fail = (why: string) => {
    if (closed !== undefined) return;
    closed = why;
    for (const jobs of pending) {
      for (const p of jobs.values()) p.reject(new Error(why));
      jobs.clear();
    }
    for (const t of threads) void t.terminate();
  };
  const ready: Promise<void>[] = [];
  for (let w = 0; w < workers; w++) {
    const init: WorkerInit = {
      index: w,
      spec,
      backend,
      fused: fusedSwitch(),
      layout,
      params,
      grads,
    };
    const t = new Worker(script, { workerData: init });
    threads.push(t);
    const jobs = new Map<number, Pending>();
    pending.push(jobs);
    ready.push(
      new Promise<void>((resolve, reject) => {
        jobs.set(-1, { resolve: () => resolve(), reject });
      }),
    );
    t.on("message", (msg: FromWorker) => {
      const job = msg.type === "ready" ? -1 : msg.job;
      const p = jobs.get(job);
      if (!p) return;
      jobs.delete(job);
      if (msg.type === "error") p.reject(new Error(`${what}: worker ${w}: ${msg.message}`));
      else p.resolve(msg);
    });
    t.on("error", (e) => fail(`${what}: worker ${w} failed: ${e.message.split("\n")[0]}`));
    t.on("messageerror", (e) => fail(`${what}: worker ${w} could not read a message: ${e}`));
    t.on("exit", (code) => {
      if (closed === undefined)
        fail(`${what}: worker ${w} exited (code ${code}) in the middle of training`);
    });
  }
  try {
    await Promise.all(ready);
  } catch (e) {
    fail((e as Error).message);
    await Promise.all(threads.map((t) => t.terminate()));
    throw e;
  }
  return {
    size: workers,
    layout,
    params: (w) => new Float32Array(params, w * P * 4, P),
    grads: (w) => new Float32Array(grads, w * P * 4, P),
    get closed() {
      return closed;
    },
    run<T extends FromWorker["type"]>(w: number, m: Job, transfer: ArrayBuffer[] = []) {
      if (closed !== undefined)
        return Promise.reject(new Error(`${closed}; the workers are gone: make a new trainer`));
      const job = nextJob++;
      return new Promise<Extract<FromWorker, { type: T }>>((resolve, reject) => {
        pending[w].set(job, {
          resolve: resolve as (m: FromWorker) => void,
          reject,
        });
        threads[w].postMessage({ ...m, job }, transfer);
      });
    },
    post(w, m) {
      if (closed === undefined) threads[w].postMessage(m);
    },
    async close() {
      fail(`${what}: closed`);
      await Promise.all(threads.map((t) => t.terminate()));
    },
  };
}

/**
 * What both parallel trainers start with: their options checked (before any thread starts),
 * the pool, and the parameters with their optimizer on the main thread (the pool is closed
 * again if those are refused).
 */
export async function startTrainer(
  what: string,
  workers: number,
  {
    model,
    seed = 0,
    params,
    optimizer = "adam",
    learningRate = 1e-3,
    clipNorm,
    clipValue,
    optimizerState,
    maxLossRatio,
  }: Omit<TrainerOptions<Model>, "stateful">,
): Promise<{ pool: Pool; u: Updater }> {
  checkWorkers(what, workers);
  checkLimits(what, { clipNorm, clipValue, maxLossRatio });
  specFor(what, model);
  makeOptimizer(optimizer, learningRate).dispose();
  const pool = await startPool(what, model, workers);
  try {
    const u = updater({
      initial: params ?? initModel(model, seed),
      copy: params !== undefined,
      optimizer,
      learningRate,
      clipNorm,
      clipValue,
      optimizerState,
      maxLossRatio,
    });
    return { pool, u };
  } catch (e) {
    await pool.close();
    throw e;
  }
}
