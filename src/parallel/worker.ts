/**
 * A worker thread of the parallel trainers: its own tfjs (and wasm backend), the model rebuilt
 * from its spec, and one job at a time: read the parameters from its slot, run the model's
 * forward and backward pass on its rows (model.ts' lossAndGrads: the same equations as one
 * thread), write the gradient into its slot, answer with the loss.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { setFused } from "../fast/policy";
import { Carry, disposeAll, Params } from "../layer";
import { lossAndGrads } from "../model";
import { modelFromSpec } from "../spec";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol";
import { unpackBatch } from "./rows";

const init = workerData as WorkerInit;
const port = parentPort!;
const { layout } = init;
const P = layout.total;
const paramsSlot = new Float32Array(init.params, init.index * P * 4, P);
const gradsSlot = new Float32Array(init.grads, init.index * P * 4, P);
const send = (m: FromWorker) => port.postMessage(m);
const model = modelFromSpec(init.spec);
let state: Carry | undefined; //                         this worker's rows' carry (stateful)
let next: Carry | undefined; //         the last job's final carry, kept once its update is applied

/** The parameters as tensors, copied out of the shared slot. */
const readParams = (): Params =>
  Object.fromEntries(
    layout.names.map((k, i) => {
      const o = layout.offsets[i];
      return [k, tf.tensor(paramsSlot.slice(o, o + layout.sizes[i]), layout.shapes[i])];
    }),
  );

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function grad(m: Extract<ToWorker, { type: "grad" }>): FromWorker {
  const t0 = performance.now();
  if (m.fault === "exit") process.exit(3);
  if (m.fault === "throw") throw new Error("injected fault (a test of failure handling)");
  const p = readParams();
  const batch = unpackBatch(m.batch);
  try {
    const r = lossAndGrads(
      model,
      p,
      { ...batch, carry: m.stateful ? state : undefined },
      { truncate: m.truncate, seed: m.seed },
    );
    layout.names.forEach((k, i) => {
      const g = r.grads[k].dataSync() as Float32Array;
      const o = layout.offsets[i];
      for (let j = 0; j < g.length; j++) gradsSlot[o + j] = m.scale * g[j]; //    (W_k / W) g_k
    });
    disposeAll(r.grads, r.dCarry);
    disposeAll(next);
    next = m.stateful ? r.carry : undefined;
    if (!m.stateful) disposeAll(r.carry);
    if (m.delayMs) sleep(m.delayMs);
    return { type: "done", job: m.job, loss: r.loss, ms: performance.now() - t0 };
  } finally {
    disposeAll(p, batch);
  }
}

function handle(m: ToWorker): FromWorker | undefined {
  if (m.type === "grad") return grad(m);
  if (m.type === "commit") {
    if (m.keep && next) {
      disposeAll(state);
      state = next;
    } else disposeAll(next);
    next = undefined;
    return undefined;
  }
  if (m.type === "reset") {
    disposeAll(state, next);
    state = next = undefined;
    return { type: "reset", job: m.job };
  }
  return { type: "tensors", job: m.job, numTensors: tf.memory().numTensors };
}

initBackend(init.backend).then(
  (backend) => {
    setFused(init.fused);
    port.on("message", (m: ToWorker) => {
      try {
        const answer = handle(m);
        if (answer) send(answer);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (m.job !== undefined)
          send({ type: "error", job: m.job, message: message.split("\n")[0] });
      }
    });
    send({ type: "ready", backend });
  },
  (e: Error) => {
    throw e; //                    an uncaught error: the pool reports it as this worker's failure
  },
);
