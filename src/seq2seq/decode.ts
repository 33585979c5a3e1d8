/**
 * Decoding an encoder–decoder: the decoder fed its own previous token instead of the reference.
 *
 *   greedy:  y_t = argmax_v p(v | y_<t, x),  until y_t = <eos> or maxLength tokens
 *   beam:    keep the k best prefixes by log p(y_≤t | x); each step extends every prefix by
 *            every token and keeps the best k that did not end; a prefix that ends with <eos>
 *            goes to the finished list; a word is done when k prefixes have finished.
 *            n-best ranked by  score = log p(y | x) / |y|^α   (|y| counts <eos>; α: lengthPenalty)
 *
 * Nothing past <eos> exists by construction: a finished hypothesis is taken out of the beam and
 * never extended. <pad> and <bos> are never written (their probability is set to 0). With k = 1
 * the beam keeps the argmax and stops at the first <eos>: greedy (a test checks it).
 */
import * as tf from "@tensorflow/tfjs";
import { Carry, cloneCarry, disposeAll, Params, unprefixed } from "../layer";
import { disposeMask, stepMask } from "../mask";
import { attend } from "./attention";
import { sourceBatch } from "./batches";
import { BOS_ID, bridge, EOS_ID, PAD_ID, Seq2Seq, Seq2SeqBatch, checkBatch } from "./model";

export interface DecodeOptions {
  /** Most tokens to write before giving up on <eos> (default 30). */
  maxLength?: number;
}

export interface BeamOptions extends DecodeOptions {
  /** Beam width k (default 5). */
  beam?: number;
  /** α of the length normalisation score = log p / |y|^α (default 1; 0: raw log p). */
  lengthPenalty?: number;
  /** Hypotheses to return per source (default: the beam width). */
  nBest?: number;
}

/** One decoded sequence. */
export interface Hypothesis {
  /** Target ids written, <eos> excluded. */
  tokens: number[];
  /** log p(tokens, <eos> | x) (without <eos> when not finished). */
  logProb: number;
  /** The ranking score: logProb / length^α. */
  score: number;
  /** Whether it ended with <eos> (false: cut at maxLength). */
  finished: boolean;
  /** Attention weights of each written step over the source letters (with attention). */
  attention?: Float32Array[];
}

/** What the decoder needs from the encoder for a set of rows. */
interface Memory {
  Hbar?: tf.Tensor3D;
  srcMask: tf.Tensor2D;
  carry: Carry;
  Ts: number;
}

function checkCount(name: string, v: number, fix: string): void {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`decode: ${name} must be an integer ≥ 1 (got ${v}); ${fix}`);
}

/** Encodes sources once; every row repeated `k` times (beam rows n·k … n·k + k − 1). */
function encode(m: Seq2Seq, p: Params, sources: readonly (readonly number[])[], k: number): Memory {
  const { xs, srcMask } = sourceBatch(sources);
  const src = stepMask("decode", srcMask, sources.length, xs.length);
  try {
    const enc = m.encoder.forward(unprefixed(p, "enc."), xs, { mask: src.mask });
    try {
      return tf.tidy(() => {
        const rows = tf.tensor1d(
          Array.from({ length: sources.length * k }, (_, r) => Math.floor(r / k)),
          "int32",
        );
        const { s0 } = bridge(m, p, enc.carry);
        const carry = Object.fromEntries(
          Object.entries(s0).map(([n, c]) => [n, tf.gather(c, rows)]),
        ) as Carry;
        const Hbar =
          m.options.attention === "none"
            ? undefined
            : (tf.gather(tf.stack(enc.ys, 1), rows) as tf.Tensor3D);
        const mask = tf.gather(srcMask, rows) as tf.Tensor2D;
        return { Hbar, srcMask: mask, carry, Ts: xs.length } as unknown as tf.TensorContainer;
      }) as unknown as Memory;
    } finally {
      enc.dispose();
    }
  } finally {
    disposeMask(src);
    disposeAll(xs, srcMask);
  }
}

/** One decoder step for R rows fed `ids`: log p [R·V] (<pad>, <bos> at −∞), the new carry, a. */
function step(
  m: Seq2Seq,
  p: Params,
  mem: Memory,
  ids: ArrayLike<number>,
): { logp: Float32Array; carry: Carry; attention?: Float32Array } {
  const R = ids.length;
  const x = tf.tensor2d(Float32Array.from(ids), [R, 1]);
  const pass = m.decoder.forward(unprefixed(p, "dec."), [x], { carry: mem.carry });
  try {
    const out = tf.tidy(() => {
      const S = tf.reshape(pass.ys[0], [R, 1, -1]) as tf.Tensor3D; //                [R, 1, Hd]
      const att = attend(p, { S, Hbar: mem.Hbar, srcMask: mem.srcMask });
      const Z = tf.add(tf.matMul(att.St, p["out.Wo"]), p["out.bo"]); //              s̃ Wo + bo
      return { logp: tf.logSoftmax(Z), a: att.A, carry: cloneCarry(pass.carry) };
    });
    const logp = out.logp.dataSync() as Float32Array;
    const V = m.options.targetVocab;
    for (let r = 0; r < R; r++) logp[r * V + PAD_ID] = logp[r * V + BOS_ID] = -Infinity;
    const attention = out.a?.dataSync() as Float32Array | undefined;
    disposeAll(out.logp, out.a);
    return { logp, carry: out.carry as Carry, attention };
  } finally {
    pass.dispose();
    x.dispose();
  }
}

/** Replaces the memory's carry by `next`, rows picked by `parents` (beam reordering). */
function advance(mem: Memory, next: Carry, parents?: number[]): void {
  disposeAll(mem.carry);
  if (!parents) {
    mem.carry = next;
    return;
  }
  mem.carry = tf.tidy(() => {
    const idx = tf.tensor1d(parents, "int32");
    return Object.fromEntries(Object.entries(next).map(([k, c]) => [k, tf.gather(c, idx)]));
  }) as Carry;
  disposeAll(next);
}

const releaseMemory = (mem: Memory) => disposeAll(mem.Hbar, mem.srcMask, mem.carry);

/** Checks sources: non-empty arrays of positive integer ids below the source vocabulary. */
function checkSources(m: Seq2Seq, sources: readonly (readonly number[])[]): void {
  if (!Array.isArray(sources) || sources.length === 0)
    throw new Error("decode: sources must be a non-empty array of id arrays, one per word");
  const V = m.options.sourceVocab;
  sources.forEach((s, n) => {
    if (!Array.isArray(s) || s.length === 0)
      throw new Error(`decode: source ${n} is empty; give each word at least one letter`);
    if (s.some((v) => !(Number.isInteger(v) && v > 0 && v < V)))
      throw new Error(`decode: source ${n} has an id outside 1..${V - 1}; encode the word first`);
  });
}

/** The source-letter attention row of row r at this step. */
const attentionRow = (a: Float32Array | undefined, r: number, Ts: number) =>
  a ? a.slice(r * Ts, (r + 1) * Ts) : undefined;

/** Greedy decoding of every source (one hypothesis each). */
export function greedyDecode(
  m: Seq2Seq,
  p: Params,
  sources: readonly (readonly number[])[],
  { maxLength = 30 }: DecodeOptions = {},
): Hypothesis[] {
  checkCount("maxLength", maxLength, "allow at least one output token");
  checkSources(m, sources);
  const N = sources.length;
  const V = m.options.targetVocab;
  const mem = encode(m, p, sources, 1);
  const hyps: Hypothesis[] = sources.map(() => ({
    tokens: [],
    logProb: 0,
    score: 0,
    finished: false,
    ...(mem.Hbar ? { attention: [] } : {}),
  }));
  try {
    const ids = new Array<number>(N).fill(BOS_ID);
    for (let t = 0; t < maxLength && hyps.some((h) => !h.finished); t++) {
      const { logp, carry, attention } = step(m, p, mem, ids);
      advance(mem, carry);
      hyps.forEach((h, r) => {
        if (h.finished) return;
        let best = 0;
        for (let v = 1; v < V; v++) if (logp[r * V + v] > logp[r * V + best]) best = v;
        h.logProb += logp[r * V + best];
        h.attention?.push(attentionRow(attention, r, mem.Ts)!);
        if (best === EOS_ID) h.finished = true;
        else h.tokens.push(best);
        ids[r] = best;
      });
    }
  } finally {
    releaseMemory(mem);
  }
  for (const h of hyps) h.score = h.logProb / (h.tokens.length + (h.finished ? 1 : 0));
  return hyps;
}

/** A live prefix in the beam. */
interface Prefix {
  tokens: number[];
  logProb: number;
  attention?: Float32Array[];
}

/** Beam search: the n-best hypotheses of every source, best first. */
export function beamSearch(
  m: Seq2Seq,
  p: Params,
  sources: readonly (readonly number[])[],
  { beam = 5, maxLength = 30, lengthPenalty = 1, nBest = beam }: BeamOptions = {},
): Hypothesis[][] {
  checkCount("beam", beam, "k = 1 is greedy decoding");
  checkCount("maxLength", maxLength, "allow at least one output token");
  checkCount("nBest", nBest, "ask for at least the best hypothesis");
  if (nBest > beam)
    throw new Error(`decode: nBest (${nBest}) cannot exceed the beam width (${beam})`);
  if (!(Number.isFinite(lengthPenalty) && lengthPenalty >= 0))
    throw new Error(`decode: lengthPenalty must be a number ≥ 0 (got ${lengthPenalty})`);
  checkSources(m, sources);
  const k = beam;
  const N = sources.length;
  const V = m.options.targetVocab;
  const score = (logProb: number, length: number) => logProb / Math.max(1, length) ** lengthPenalty;
  const mem = encode(m, p, sources, k);
  // beam of word n: rows n·k … n·k + k − 1; at the start only one prefix (<bos>) per word
  let alive: Prefix[][] = sources.map(() => [
    { tokens: [], logProb: 0, ...(mem.Hbar ? { attention: [] } : {}) },
  ]);
  const done: Hypothesis[][] = sources.map(() => []);
  const finishedWord = (n: number) => done[n].length >= k;
  try {
    for (let t = 0; t < maxLength && alive.some((a, n) => a.length && !finishedWord(n)); t++) {
      const ids = new Array<number>(N * k).fill(BOS_ID);
      alive.forEach((a, n) => a.forEach((h, j) => (ids[n * k + j] = h.tokens.at(-1) ?? BOS_ID)));
      const { logp, carry, attention } = step(m, p, mem, ids);
      const parents = Array.from({ length: N * k }, (_, r) => r);
      alive = alive.map((a, n) => {
        if (finishedWord(n)) return [];
        // every extension of every live prefix, best first (ties: lower prefix, lower token)
        const cands: { j: number; v: number; lp: number }[] = [];
        a.forEach((h, j) => {
          const r = n * k + j;
          for (let v = 0; v < V; v++) {
            const lv = logp[r * V + v];
            if (lv > -Infinity) cands.push({ j, v, lp: h.logProb + lv });
          }
        });
        cands.sort((x, y) => y.lp - x.lp || x.j - y.j || x.v - y.v);
        const next: Prefix[] = [];
        for (const c of cands) {
          if (next.length === k || finishedWord(n)) break;
          const h = a[c.j];
          const att = h.attention && [
            ...h.attention,
            attentionRow(attention, n * k + c.j, mem.Ts)!,
          ];
          if (c.v === EOS_ID) {
            const length = h.tokens.length + 1;
            done[n].push({
              tokens: h.tokens,
              logProb: c.lp,
              score: score(c.lp, length),
              finished: true,
              ...(att ? { attention: att } : {}),
            });
          } else {
            parents[n * k + next.length] = n * k + c.j;
            next.push({
              tokens: [...h.tokens, c.v],
              logProb: c.lp,
              ...(att ? { attention: att } : {}),
            });
          }
        }
        return finishedWord(n) ? [] : next;
      });
      advance(mem, carry, parents);
    }
  } finally {
    releaseMemory(mem);
  }
  return done.map((d, n) => {
    const cut = alive[n].map((h) => ({
      ...h,
      score: score(h.logProb, h.tokens.length),
      finished: false,
    }));
    return [...d, ...cut].sort((x, y) => y.score - x.score).slice(0, nBest);
  });
}

/**
 * The loss when the decoder reads its own greedy predictions instead of the reference (free
 * running, as in decoding): the mean over real target steps of −log p(y_t | ŷ_<t, x).
 */
export function freeRunningLoss(m: Seq2Seq, p: Params, batch: Seq2SeqBatch): number {
  const { B, Td } = checkBatch(m, batch);
  const V = m.options.targetVocab;
  const steps = batch.xs.map((x) => x.dataSync()); //              each source step read once
  const sources = Array.from({ length: B }, (_, b) =>
    steps.map((s) => s[b]).filter((v) => v !== PAD_ID),
  );
  const targets = batch.targets.dataSync();
  const w = batch.tgtMask.dataSync();
  const mem = encode(m, p, sources, 1);
  let total = 0;
  let n = 0;
  try {
    const ids = new Array<number>(B).fill(BOS_ID);
    for (let t = 0; t < Td; t++) {
      const { logp, carry } = step(m, p, mem, ids);
      advance(mem, carry);
      for (let b = 0; b < B; b++) {
        if (w[b * Td + t]) {
          total -= logp[b * V + targets[b * Td + t]];
          n += 1;
        }
        let best = 0;
        for (let v = 1; v < V; v++) if (logp[b * V + v] > logp[b * V + best]) best = v;
        ids[b] = best;
      }
    }
  } finally {
    releaseMemory(mem);
  }
  return total / n;
}
