/**
 * A time-ordered split: the first part trains, the next validates, the last tests. No
 * shuffling: the model never sees the future of the period it is evaluated on. Every part
 * holds at least one reading (the validation part may be empty only when asked for, val: 0).
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
  const cut = (m: number) => [Math.floor(m * train), Math.floor(m * (train + val))];
  // the first empty part, if any (val: 0 asks for no validation part)
  const emptyPart = (m: number) => {
    const [a, b] = cut(m);
    return a === 0 ? "train" : b === a && val > 0 ? "val" : b === m ? "test" : undefined;
  };
  const [a, b] = cut(n);
  const empty = emptyPart(n);
  if (empty) {
    let need = Math.ceil(1 / Math.min(train, val > 0 ? val : 1, 1 - train - val));
    while (emptyPart(need)) need++;
    const or = empty === "test" ? "a smaller train + val" : `a larger ${empty} fraction`;
    throw new Error(
      `splitByTime: ${n} readings split as train ${a}, val ${b - a}, test ${n - b} (fractions train ${train}, val ${val}): the ${empty} part is empty; use at least ${need} readings or ${or}`,
    );
  }
  return { train: { start: 0, end: a }, val: { start: a, end: b }, test: { start: b, end: n } };
}
