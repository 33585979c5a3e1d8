/**
 * Forecast errors, on whatever scale the inputs are (kW or scaled):
 *   RMSE = √(mean (ŷ − y)²),  MAE = mean |ŷ − y|,  MAPE = 100 · mean |ŷ − y| / |y|  (%)
 */

function check(what: string, pred: ArrayLike<number>, actual: ArrayLike<number>): void {
  if (pred.length !== actual.length)
    throw new Error(`${what}: ${pred.length} predictions for ${actual.length} actual values`);
  if (pred.length === 0) throw new Error(`${what}: nothing to compare`);
}

export function rmse(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  check("rmse", pred, actual);
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += (pred[i] - actual[i]) ** 2;
  return Math.sqrt(s / pred.length);
}

export function mae(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  check("mae", pred, actual);
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += Math.abs(pred[i] - actual[i]);
  return s / pred.length;
}

export function mape(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  check("mape", pred, actual);
  let s = 0;
  for (let i = 0; i < pred.length; i++) {
    if (actual[i] === 0)
      throw new Error(`mape: actual value 0 at index ${i}; MAPE is undefined there (use MAE)`);
    s += Math.abs(pred[i] - actual[i]) / Math.abs(actual[i]);
  }
  return (100 * s) / pred.length;
}
