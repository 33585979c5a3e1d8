/**
 * Sampling text from a character model: warm up on a prefix, then draw one character at a
 * time and feed it back in, carrying the state.
 *
 *   p = softmax(z / τ)           temperature τ: < 1 sharper, > 1 flatter
 *   top-k: keep the k most likely characters, renormalise
 *   greedy: always the most likely character (τ → 0)
 *   entropy H = −Σ p log p (nats) of each distribution drawn from
 */
import { rng } from "../init";
import { oneHot } from "../onehot";
import { Carry, disposeAll, Params } from "../layer";
import { Model, predict, Prediction } from "../model";
import { Vocabulary } from "./vocab";

export interface SampleOptions {
  /** Text to warm the state up on (at least one character). */
  prefix: string;
  /** Characters to generate. */
  length: number;
  temperature?: number;
  /** Keep only the k most likely characters. */
  topK?: number;
  /** Take the most likely character instead of sampling. */
  greedy?: boolean;
  seed?: number;
}

export interface Sample {
  text: string;
  /** Entropy (nats) of each step's distribution. */
  entropies: number[];
}

type Shaping = { temperature?: number; topK?: number };

function checkShaping({ temperature = 1, topK }: Shaping): void {
  if (!(temperature > 0 && Number.isFinite(temperature)))
    throw new Error(
      `sample: temperature must be a finite positive number (got ${temperature}); use greedy: true for τ → 0`,
    );
  if (topK !== undefined && !(Number.isInteger(topK) && topK > 0))
    throw new Error(`sample: topK must be a positive integer (got ${topK})`);
}

/** The distribution a character is drawn from, given logits. Exported for tests. */
export function samplingDistribution(logits: ArrayLike<number>, shaping: Shaping): Float64Array {
  checkShaping(shaping);
  const { temperature = 1, topK } = shaping;
  const bad = Array.prototype.findIndex.call(logits, (v: number) => !Number.isFinite(v));
  if (bad >= 0)
    throw new Error(
      `sample: the model's output ${bad} is ${logits[bad]}: its parameters are not finite (a diverged run, or a checkpoint loaded with allowNonFinite)`,
    );
  const z = Float64Array.from(logits, (v) => v / temperature);
  if (topK !== undefined) {
    const cut = [...z].sort((a, b) => b - a)[Math.min(topK, z.length) - 1];
    for (let k = 0; k < z.length; k++) if (z[k] < cut) z[k] = -Infinity;
  }
  const m = Math.max(...z);
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += z[k] = Math.exp(z[k] - m);
  for (let k = 0; k < z.length; k++) z[k] /= sum;
  return z;
}

export function sample(
  m: Model,
  p: Params,
  vocab: Vocabulary,
  { prefix, length, temperature = 1, topK, greedy = false, seed = 0 }: SampleOptions,
): Sample {
  if (prefix.length === 0)
    throw new Error("sample: prefix must have at least one character to start from");
  if (!Number.isInteger(length) || length < 0)
    throw new Error(`sample: length must be a non-negative integer (got ${length})`);
  checkShaping({ temperature, topK }); //                       before any tensor is made
  const V = vocab.size;
  const u = rng(seed);
  const warm = [...vocab.encode(prefix)].map((id) => oneHot([id], V));
  let out: Prediction;
  try {
    out = predict(m, p, warm);
  } finally {
    disposeAll(warm);
  }
  let carry: Carry = out.carry;
  let logits = out.outputs[out.outputs.length - 1].dataSync().slice();
  disposeAll(out.outputs);
  const ids: number[] = [];
  const entropies: number[] = [];
  try {
    for (let k = 0; k < length; k++) {
      const dist = samplingDistribution(logits, { temperature, topK });
      entropies.push(-dist.reduce((h, q) => (q > 0 ? h + q * Math.log(q) : h), 0));
      let id = 0;
      if (greedy) dist.forEach((q, j) => (q > dist[id] ? (id = j) : 0));
      else {
        let r = u();
        id = dist.length - 1;
        for (let j = 0; j < dist.length; j++)
          if ((r -= dist[j]) < 0) {
            id = j;
            break;
          }
      }
      ids.push(id);
      if (k === length - 1) break;
      const x = oneHot([id], V);
      try {
        out = predict(m, p, [x], { carry });
      } finally {
        x.dispose();
      }
      disposeAll(carry);
      carry = out.carry;
      logits = out.outputs[0].dataSync().slice();
      disposeAll(out.outputs);
    }
  } finally {
    disposeAll(carry); //                                  also when a step fails
  }
  return { text: vocab.decode(ids), entropies };
}
