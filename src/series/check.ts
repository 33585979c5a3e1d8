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

/**
 * Parses "YYYY-MM-DD HH:MM:SS" as minutes since the epoch, wall-clock (no time zone). A time
 * that does not exist (month 13, Feb 30, hour 25) is an error, not rolled over into the next
 * month or day: the parsed date must give back the same fields.
 */
export function wallClockMinutes(ts: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(ts);
  if (!m) throw new Error(`timestamp ${JSON.stringify(ts)} is not "YYYY-MM-DD HH:MM:SS"`);
  const want = m.slice(1).map((x) => Number(x ?? 0));
  const ms = Date.UTC(want[0], want[1] - 1, want[2], want[3], want[4], want[5]);
  const b = new Date(ms);
  const got = [b.getUTCFullYear(), b.getUTCMonth() + 1, b.getUTCDate()];
  got.push(b.getUTCHours(), b.getUTCMinutes(), b.getUTCSeconds());
  if (got.some((v, i) => v !== want[i])) {
    throw new Error(
      `timestamp ${JSON.stringify(ts)} is not a real date and time (month 01–12, day within the month, hour 00–23, minute and second 00–59)`,
    );
  }
  return ms / 60000;
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
