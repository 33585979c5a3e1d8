/**
 * A time-ordered split: the first part trains, the next validates, the last tests. No
 * shuffling: the model never sees the future of the period it is evaluated on.
 */

export interface Range {
  start: number;
  end: number; // exclusive
}

export interface TimeSplit {
  train: Range;
  val: Range;
  test: Range;
}

export function splitByTime(
  n: number,
  { train = 0.7, val = 0.15 }: { train?: number; val?: number } = {},
): TimeSplit {
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`splitByTime: n must be a positive integer (got ${n})`);
  if (!(train > 0 && val >= 0 && train + val < 1)) {
    throw new Error(
      `splitByTime: fractions must satisfy 0 < train, 0 ≤ val, train + val < 1 (got train ${train}, val ${val})`,
    );
  }
  const a = Math.floor(n * train);
  const b = Math.floor(n * (train + val));
  if (a === 0 || b === n)
    throw new Error(`splitByTime: ${n} readings are too few for these fractions`);
  return { train: { start: 0, end: a }, val: { start: a, end: b }, test: { start: b, end: n } };
}
