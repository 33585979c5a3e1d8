/**
 * Checks a time series before it is modelled: values finite, timestamps strictly increasing
 * on a regular grid, long enough. Each problem is a one-line error naming the first offending
 * position; nothing is silently dropped or filled.
 */

export interface SeriesCheck {
  /** Minutes between readings, e.g. 15. */
  stepMinutes: number;
  /** Shortest acceptable length (e.g. one window plus its target). */
  minLength?: number;
}

/** Parses "YYYY-MM-DD HH:MM:SS" as minutes since the epoch, wall-clock (no time zone). */
export function wallClockMinutes(ts: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(ts);
  if (!m) throw new Error(`timestamp ${JSON.stringify(ts)} is not "YYYY-MM-DD HH:MM:SS"`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0)) / 60000;
}

export function checkSeries(
  timestamps: string[],
  values: ArrayLike<number>,
  { stepMinutes, minLength = 2 }: SeriesCheck,
): void {
  if (timestamps.length !== values.length)
    throw new Error(`series: ${timestamps.length} timestamps but ${values.length} values`);
  if (values.length < minLength)
    throw new Error(
      `series: ${values.length} readings, shorter than the ${minLength} needed (one window and its target)`,
    );
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]))
      throw new Error(
        `series: value ${values[i]} at ${timestamps[i]} (index ${i}); fill or drop it before modelling`,
      );
  }
  let prev = wallClockMinutes(timestamps[0]);
  for (let i = 1; i < timestamps.length; i++) {
    const t = wallClockMinutes(timestamps[i]);
    const d = t - prev;
    if (d === 0) throw new Error(`series: duplicate timestamp ${timestamps[i]} at index ${i}`);
    if (d < 0)
      throw new Error(
        `series: timestamps not sorted: ${timestamps[i]} (index ${i}) comes after ${timestamps[i - 1]}`,
      );
    if (d !== stepMinutes)
      throw new Error(
        `series: gap of ${d} minutes before ${timestamps[i]} (index ${i}); expected ${stepMinutes}`,
      );
    prev = t;
  }
}
