// npm run bench [-- --json] [--quick] [--steps N] [--workers N [--only parallel]]
// Training-step speed of our BPTT vs tf.layers on the same backend and sizes: B=32, T=50,
// one-hot vocabulary 65, H=128, softmax at every step, Adam. Median ms/step over N steps after
// warm-up, taken in interleaved rounds (ours, ours with reference ops, tf.layers: one step each
// per round, so all see the same machine; the LSTM also with a mask of random lengths in
// [T/2, T]: masked_ratio = masked / unmasked), chars/s, peak tensors and bytes (tf.profile), and a
// sequence-length sweep.
// With --workers N: the char-LSTM (B=64 in all, T=50, V=65, H=128, Adam) by one thread and by
// N worker threads (rnn.parallelTrainer, rows split across them), interleaved steps on the same
// batch: "parallel": { workers, single_chars_per_s, parallel_chars_per_s, speedup }.
// `--only parallel` runs just that part.
// Results go to stdout and to reports/bench.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const rnn = require(join(root, "dist"));
const tf = rnn.tf;

const args = process.argv.slice(2);
const json = args.includes("--json");
const quick = args.includes("--quick") || rnn.isQuick();
const stepsArg = args.indexOf("--steps");
const STEPS = stepsArg >= 0 ? Number(args[stepsArg + 1]) : quick ? 3 : 10;
// warm-up: at least WARMUP steps and WARMUP_S seconds (JIT-compiled kernel loops, optimizer slots)
const WARMUP = quick ? 1 : 3;
const WARMUP_S = quick ? 0 : 5;
const [B, T, V, H] = [32, 50, 65, 128];
const workersArg = args.indexOf("--workers");
const WORKERS = workersArg >= 0 ? Number(args[workersArg + 1]) : 0;
const onlyArg = args.indexOf("--only");
const ONLY = onlyArg >= 0 ? args[onlyArg + 1] : undefined;
if (ONLY !== undefined && ONLY !== "parallel") {
  console.error(`bench: --only takes "parallel" (got ${JSON.stringify(ONLY)})`);
  process.exit(2);
}
if (workersArg >= 0 && !(Number.isInteger(WORKERS) && WORKERS >= 1)) {
  console.error(`bench: --workers needs a positive integer (got ${args[workersArg + 1]})`);
  process.exit(2);
}
if (ONLY === "parallel" && !WORKERS) {
  console.error("bench: --only parallel needs --workers N");
  process.exit(2);
}
const log = (...a) => json || console.log(...a);

/** Deterministic pseudo-text: T one-hot steps [B, V] and next-symbol targets. */
function data(steps, rows = B) {
  const B = rows;
  const u = rnn.rng(7);
  const ids = Array.from({ length: B }, () =>
    Array.from({ length: steps + 1 }, () => Math.floor(u() * V)),
  );
  const at = (t) =>
    tf
      .oneHot(
        tf.tensor1d(
          ids.map((r) => r[t]),
          "int32",
        ),
        V,
      )
      .toFloat();
  return {
    xs: Array.from({ length: steps }, (_, t) => at(t)),
    targets: Array.from({ length: steps }, (_, t) => at(t + 1)),
    ids,
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function warmUp(step) {
  const t0 = performance.now();
  for (let i = 0; i < WARMUP || performance.now() - t0 < WARMUP_S * 1000; i++) await step();
}

async function peak(step) {
  const before = tf.memory().numTensors;
  const info = await tf.profile(() => {
    step();
  });
  return {
    peak_bytes: info.peakBytes,
    peak_new_tensors: info.newTensors,
    tensors_after: tf.memory().numTensors - before,
  };
}

const CELLS = {
  lstm: () => rnn.lstm({ inputSize: V, hiddenSize: H }),
  gru: () => rnn.gru({ inputSize: V, hiddenSize: H, resetAfter: false }), // the variant tf.layers has
  simple: () => rnn.simpleRNN({ inputSize: V, hiddenSize: H }),
};
const LAYERS = {
  lstm: () =>
    tf.layers.lstm({
      units: H,
      returnSequences: true,
      recurrentActivation: "sigmoid",
      inputShape: [T, V],
    }),
  gru: () =>
    tf.layers.gru({
      units: H,
      returnSequences: true,
      recurrentActivation: "sigmoid",
      inputShape: [T, V],
    }),
  simple: () => tf.layers.simpleRNN({ units: H, returnSequences: true, inputShape: [T, V] }),
};

/** Our trainer on `batch` (fused path on or off): a step function and its clean-up. */
function ours(kind, batch, fused = true) {
  const tr = rnn.trainer({
    model: rnn.model({ layer: rnn.unroll(CELLS[kind]()), outputSize: V }),
    seed: 1,
    learningRate: 2e-3,
  });
  const step = () => {
    rnn.setFused(fused);
    try {
      tr.step(batch);
    } finally {
      rnn.setFused(true);
    }
  };
  return { step, dispose: () => tr.dispose() };
}

/** tf.layers with the same sizes, loss and optimizer: a step function and its clean-up. */
function layers(kind, batch) {
  const m = tf.sequential({ layers: [LAYERS[kind](), tf.layers.dense({ units: V })] });
  m.compile({
    optimizer: tf.train.adam(2e-3),
    loss: (y, z) => tf.losses.softmaxCrossEntropy(y, z),
  });
  const x = tf.stack(batch.xs, 1);
  const y = tf.stack(batch.targets, 1);
  return {
    step: () => m.trainOnBatch(x, y),
    dispose: () => {
      tf.dispose([x, y]);
      m.dispose();
    },
  };
}

/** The data guards a training step runs before its pass (src/guards.ts), alone. */
function guards(batch) {
  return {
    step: () => {
      rnn.checkFinite("bench", "xs", batch.xs);
      rnn.checkFinite("bench", "targets", batch.targets);
      rnn.checkDistributions("bench", "targets", batch.targets);
    },
    dispose: () => {},
  };
}

/**
 * Median ms per step of each runner, timed in interleaved rounds (one step of each per round)
 * after each has warmed up, so all see the same state of the machine.
 */
async function compare(runners) {
  for (const r of runners) await warmUp(r.step);
  const ms = runners.map(() => []);
  for (let i = 0; i < STEPS; i++) {
    for (const [k, r] of runners.entries()) {
      const t0 = performance.now();
      await r.step();
      ms[k].push(performance.now() - t0);
    }
  }
  return ms.map(median);
}

const backend = await rnn.initBackend();
log(
  `backend ${backend}, B=${B} T=${T} V=${V} H=${H}, Adam, median of ${STEPS} interleaved steps after ≥ ${WARMUP} warm-up steps and ≥ ${WARMUP_S} s each${quick ? " (quick)" : ""}`,
);
const batch = data(T);
const lengthRng = rnn.rng(11); //                     lengths uniform in [T/2, T], all ≥ 1
const lengths = Array.from({ length: B }, () => T / 2 + Math.floor(lengthRng() * (T / 2 + 1)));
const maskedBatch = rnn.maskFromLengths(lengths, T);
const result = { backend, quick, sizes: { B, T, V, H }, steps: STEPS, models: {}, sweep: [] };
for (const kind of ONLY ? [] : Object.keys(CELLS)) {
  const masked = kind === "lstm"; //  the LSTM also on a variable-length batch, in the same rounds
  const runners = [ours(kind, batch), ours(kind, batch, false), layers(kind, batch), guards(batch)];
  if (masked) runners.push(ours(kind, { ...batch, mask: maskedBatch }));
  const [o, ref, l, g, om] = await compare(runners);
  const mem = await peak(runners[0].step);
  runners.forEach((r) => r.dispose());
  const r = {
    ours_ms: +o.toFixed(2),
    ours_reference_ops_ms: +ref.toFixed(2), // the same BPTT with the fused path off
    layers_ms: +l.toFixed(2),
    speedup: +(l / o).toFixed(2),
    guards_ms: +g.toFixed(3), // the data checks inside ours_ms (finite, one-hot targets)
    guards_share: +(g / o).toFixed(4),
    ours_chars_per_s: Math.round((B * T) / (o / 1000)),
    layers_chars_per_s: Math.round((B * T) / (l / 1000)),
    ours_peak_bytes: mem.peak_bytes,
    ours_peak_new_tensors: mem.peak_new_tensors,
    ours_tensors_leaked: mem.tensors_after,
  };
  if (masked) {
    r.ours_masked_ms = +om.toFixed(2); // lengths uniform in [T/2, T], padded steps keep the carry
    r.masked_ratio = +(om / o).toFixed(3); // target ≤ 1.2
  }
  result.models[kind] = r;
  log(
    `${kind.padEnd(7)} ours ${r.ours_ms.toFixed(1).padStart(7)} ms (reference ops ${r.ours_reference_ops_ms.toFixed(1)} ms)  tf.layers ${r.layers_ms.toFixed(1).padStart(7)} ms  ×${r.speedup}  guards ${(r.guards_share * 100).toFixed(1)}%  ${r.ours_chars_per_s} chars/s  peak ${(r.ours_peak_bytes / 2 ** 20).toFixed(1)} MB`,
  );
  if (masked)
    log(`${kind.padEnd(7)} masked ${r.ours_masked_ms.toFixed(1)} ms, ×${r.masked_ratio} unmasked`);
}
rnn.disposeAll(batch.xs, batch.targets, maskedBatch);

for (const steps of ONLY ? [] : quick ? [25, 100] : [25, 50, 100, 200, 400]) {
  const b = data(steps);
  const run = ours("lstm", b);
  const [o] = await compare([run]);
  run.dispose();
  const row = { T: steps, ours_ms: +o.toFixed(2), ms_per_step: +(o / steps).toFixed(3) };
  result.sweep.push(row);
  log(
    `sweep lstm T=${String(steps).padStart(3)}: ${row.ours_ms.toFixed(1).padStart(8)} ms/step, ${row.ms_per_step.toFixed(2)} ms per time step`,
  );
  rnn.disposeAll(b.xs, b.targets);
}
if (!ONLY) {
  const per = result.sweep.map((r) => r.ms_per_step);
  result.sweep_spread = +(Math.max(...per) / Math.min(...per) - 1).toFixed(3);
  log(`per-time-step cost spread over the sweep: ${(result.sweep_spread * 100).toFixed(0)}%`);
}

if (WORKERS) {
  // one thread against WORKERS threads on the same batch of 64 rows, one step each per round
  const rows = 64;
  const b = data(T, rows);
  const model = rnn.charModel({ cell: "lstm", hiddenSize: H, layers: 1, vocabSize: V });
  const single = rnn.trainer({ model, seed: 1, learningRate: 2e-3 });
  const par = await rnn.parallelTrainer({ model, seed: 1, learningRate: 2e-3, workers: WORKERS });
  // one worker alone on one worker's share of the rows: what a worker costs without company
  const share = data(T, Math.ceil(rows / WORKERS));
  const alone = await rnn.parallelTrainer({ model, seed: 1, learningRate: 2e-3, workers: 1 });
  const slowest = [];
  const aloneMs = [];
  const [s1, sp, sa] = await compare([
    { step: () => single.step(b) },
    { step: async () => slowest.push(Math.max(...(await par.step(b)).workerMs)) },
    { step: async () => aloneMs.push((await alone.step(share)).workerMs[0]) },
  ]);
  const tensors = await par.workerTensors();
  single.dispose();
  await par.dispose();
  await alone.dispose();
  rnn.disposeAll(b.xs, b.targets, share.xs, share.targets);
  const worker = median(slowest.slice(-STEPS));
  const workerAlone = median(aloneMs.slice(-STEPS));
  result.parallel = {
    workers: WORKERS,
    batch: rows,
    single_ms: +s1.toFixed(2),
    parallel_ms: +sp.toFixed(2),
    single_chars_per_s: Math.round((rows * T) / (s1 / 1000)),
    parallel_chars_per_s: Math.round((rows * T) / (sp / 1000)),
    speedup: +(s1 / sp).toFixed(3),
    // where the parallel step's time goes: the slowest worker's pass (its share of the rows,
    // all workers running at once), the same share by one worker alone, and the rest (main
    // thread: packing, averaging, the update; messages)
    slowest_worker_ms: +worker.toFixed(2),
    worker_alone_ms: +workerAlone.toFixed(2),
    alone_step_ms: +sa.toFixed(2),
    contention: +(worker / workerAlone).toFixed(3),
    main_thread_ms: +(sp - worker).toFixed(2),
    worker_tensors_between_steps: tensors,
    cores: (await import("node:os")).availableParallelism(),
  };
  const p = result.parallel;
  log(
    `parallel lstm B=${rows}: 1 thread ${p.single_ms.toFixed(1)} ms (${p.single_chars_per_s} chars/s), ${WORKERS} workers ${p.parallel_ms.toFixed(1)} ms (${p.parallel_chars_per_s} chars/s), ×${p.speedup} on ${p.cores} cores`,
  );
  log(
    `  slowest worker ${p.slowest_worker_ms.toFixed(1)} ms (alone on the same rows ${p.worker_alone_ms.toFixed(1)} ms: ×${p.contention} from sharing the machine), main thread and messages ${p.main_thread_ms.toFixed(1)} ms`,
  );
}

mkdirSync(join(root, "reports"), { recursive: true });
writeFileSync(join(root, "reports", "bench.json"), JSON.stringify(result, null, 2) + "\n");
if (json) console.log(JSON.stringify(result));
else console.log(`wrote ${join(root, "reports", "bench.json")}`);
