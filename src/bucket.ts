/**
 * Batches of sequences of similar length (as torchtext's BucketIterator), so that padding each
 * batch to its longest member wastes few cells:
 *
 *   shuffle the indices (seeded) → cut into chunks of `bucketBatches`·batchSize → sort each chunk
 *   by length → cut it into batches → shuffle the batch order (seeded)
 *
 *   padding fraction = Σ_batches (|batch|·max_len − Σ len) / Σ_batches |batch|·max_len
 */
import { rng, shuffleInPlace } from "./init";

export interface BucketOptions {
  /** Sequences per batch (the last batch of a chunk may be smaller). */
  batchSize: number;
  /** Seed of both shuffles. */
  seed: number;
  /** Batches per sorted chunk (default 100): larger, less padding but less randomness. */
  bucketBatches?: number;
}

/** Checks a lengths array: non-empty, positive integers. */
function checkLengths(what: string, lengths: number[]): void {
  if (!Array.isArray(lengths) || lengths.length === 0)
    throw new Error(`${what}: lengths must be a non-empty array of sequence lengths`);
  lengths.forEach((n, i) => {
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`${what}: lengths[${i}] must be a positive integer (got ${n})`);
  });
}

/** Checks a count option: a positive integer. */
function checkCount(what: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0)
    throw new Error(`${what}: ${name} must be a positive integer (got ${v})`);
}

/** `items` cut into consecutive groups of `size` (the last may be smaller). */
const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, k) =>
    items.slice(k * size, (k + 1) * size),
  );

/** Index batches of similar lengths, every index once, in a seeded random order. */
export function bucketBatches(lengths: number[], options: BucketOptions): number[][] {
  const { batchSize, seed, bucketBatches: perChunk = 100 } = options;
  checkLengths("bucketBatches", lengths);
  checkCount("bucketBatches", "batchSize", batchSize);
  checkCount("bucketBatches", "bucketBatches", perChunk);
  if (!Number.isFinite(seed)) throw new Error(`bucketBatches: seed must be a number (got ${seed})`);
  const u = rng(seed);
  const order = shuffleInPlace(
    lengths.map((_, i) => i),
    u,
  ); //                                                           indices, shuffled
  const batches = chunks(order, batchSize * perChunk).flatMap((chunk) =>
    chunks(
      chunk.sort((a, b) => lengths[a] - lengths[b] || a - b), //                 by length
      batchSize,
    ),
  );
  return shuffleInPlace(batches, u); //                                               batch order
}

/**
 * One epoch of index batches: 0 … n − 1 shuffled with `seed` (Fisher–Yates), cut into batches
 * of `batchSize` (the last one smaller when batchSize does not divide n).
 */
export function shuffledBatches(n: number, batchSize: number, seed: number): number[][] {
  checkCount("shuffledBatches", "n", n);
  checkCount("shuffledBatches", "batchSize", batchSize);
  const order = shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    rng(seed),
  );
  return chunks(order, batchSize);
}

/** Index batches in a seeded random order, lengths ignored (the baseline). */
export function randomBatches(lengths: number[], { batchSize, seed }: BucketOptions): number[][] {
  checkLengths("randomBatches", lengths);
  checkCount("randomBatches", "batchSize", batchSize);
  return shuffledBatches(lengths.length, batchSize, seed);
}

/** The share of padded cells when each batch is padded to its longest member. */
export function paddingFraction(lengths: number[], batches: number[][]): number {
  checkLengths("paddingFraction", lengths);
  if (!Array.isArray(batches) || batches.length === 0)
    throw new Error("paddingFraction: batches must be a non-empty array of index arrays");
  let [cells, real] = [0, 0];
  for (const batch of batches) {
    if (!Array.isArray(batch) || batch.length === 0)
      throw new Error("paddingFraction: every batch must be a non-empty array of indices");
    const lens = batch.map((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= lengths.length)
        throw new Error(`paddingFraction: index ${i} is not in 0..${lengths.length - 1}`);
      return lengths[i];
    });
    cells += batch.length * Math.max(...lens); //                                  padded size
    real += lens.reduce((a, n) => a + n, 0);
  }
  return (cells - real) / cells;
}
