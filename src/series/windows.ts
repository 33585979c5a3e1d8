/**
 * Sliding windows for stateless training: input x[t − n … t − 1], target x[t − 1 + h]
 * (h = 1: the next reading). Window k ends where window k + 1 starts one step later, so
 * consecutive windows overlap by n − 1 steps.
 */

export interface WindowOptions {
  /** Readings in each input window. */
  inputs: number;
  /** Steps ahead of the last input that the target lies (1 = next reading). */
  horizon?: number;
  /** Only windows whose target index is in [start, end), 0 ≤ start < end ≤ length. */
  start?: number;
  end?: number;
}

function checkShape(inputs: number, horizon: number): void {
  if (!Number.isInteger(inputs) || inputs <= 0)
    throw new Error(`windows: inputs must be a positive integer (got ${inputs})`);
  if (!Number.isInteger(horizon) || horizon <= 0)
    throw new Error(`windows: horizon must be a positive integer (got ${horizon})`);
}

/**
 * Target indices t of every window; its inputs are t − horizon − inputs + 1 … t − horizon.
 * Every target lies in the series: an `end` past `length` is refused, not clamped.
 */
export function windowTargets(
  length: number,
  { inputs, horizon = 1, start = 0, end = length }: WindowOptions,
): number[] {
  checkShape(inputs, horizon);
  if (!Number.isInteger(length) || length < 0)
    throw new Error(`windows: length must be a non-negative integer (got ${length})`);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0)
    throw new Error(
      `windows: start and end must be integers with 0 ≤ start (got start ${start}, end ${end})`,
    );
  if (end > length)
    throw new Error(
      `windows: end ${end} is past the end of the series (${length} readings): targets must lie in it, so pass end ≤ ${length}`,
    );
  const first = Math.max(start, inputs + horizon - 1);
  if (end - first <= 0) {
    throw new Error(
      `windows: ${length} readings are shorter than one window (${inputs} inputs + ${horizon} ahead) in [${start}, ${end})`,
    );
  }
  return Array.from({ length: end - first }, (_, i) => first + i);
}

/** The input indices of the window whose target is t (t ≥ inputs + horizon − 1, so none is negative). */
export function windowInputs(t: number, { inputs, horizon = 1 }: WindowOptions): number[] {
  checkShape(inputs, horizon);
  if (!Number.isInteger(t) || t < inputs + horizon - 1)
    throw new Error(
      `windows: target ${t} has no full window before it (${inputs} inputs + ${horizon} ahead need t ≥ ${inputs + horizon - 1})`,
    );
  return Array.from({ length: inputs }, (_, k) => t - horizon - inputs + 1 + k);
}
