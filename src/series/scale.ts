/**
 * Min–max scaling, x' = (x − min) / (max − min), fit on the training part only so nothing of
 * the validation or test data leaks into the model's inputs.
 */

export interface MinMaxScaler {
  readonly min: number;
  readonly max: number;
  scale(x: ArrayLike<number>): Float64Array;
  unscale(x: ArrayLike<number>): Float64Array;
}

export function fitMinMax(train: ArrayLike<number>): MinMaxScaler {
  if (train.length === 0) throw new Error("fitMinMax: the training data is empty");
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < train.length; i++) {
    const v = train[i];
    if (!Number.isFinite(v))
      throw new Error(`fitMinMax: value ${v} at index ${i}; the scaler needs finite numbers`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max === min)
    throw new Error(
      `fitMinMax: the training data is constant (${min}); min–max scaling needs a range`,
    );
  const span = max - min;
  return {
    min,
    max,
    scale: (x) => Float64Array.from(x, (v) => (v - min) / span),
    unscale: (x) => Float64Array.from(x, (v) => v * span + min),
  };
}
