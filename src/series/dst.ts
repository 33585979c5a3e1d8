/**
 * Daylight-saving artefacts in a quarter-hourly series stamped in local time (Portugal: last
 * Sunday of March and of October, at 01:00). On spring-forward days the meter's 01:00–01:45
 * readings are missing and were filled with the series minimum; on fall-back days that hour
 * holds two hours of energy, about double.
 *
 * Not every change day is affected (in MT_251, 2011's are clean), so each is tested: a spring
 * hour is an artefact when its readings are below 20% of the neighbouring readings' mean, an
 * autumn hour when its mean is above 1.5 times it.
 *
 * Repair (documented choice): spring readings are replaced by a linear interpolation between
 * 00:45 and 02:00; fall-back readings are halved (each quarter hour is the sum of two). Both
 * keep every timestamp, so the series stays on its 15-minute grid.
 */

/** The last Sunday of a month (1-based month), as "YYYY-MM-DD". */
export function lastSunday(year: number, month: number): string {
  const last = new Date(Date.UTC(year, month, 0));
  last.setUTCDate(last.getUTCDate() - last.getUTCDay());
  return last.toISOString().slice(0, 10);
}

export interface DstDay {
  date: string;
  kind: "spring" | "autumn";
  /** Indices of the 01:00, 01:15, 01:30, 01:45 readings. */
  indices: number[];
  /** Whether that hour shows the artefact (see the file comment). */
  affected: boolean;
}

/** The change days present in the series, their 01:00–01:45 readings, and whether they are off. */
export function dstDays(timestamps: string[], values: ArrayLike<number>): DstDay[] {
  const index = new Map(timestamps.map((t, i) => [t, i]));
  const years = [...new Set(timestamps.map((t) => +t.slice(0, 4)))];
  const days: DstDay[] = [];
  for (const y of years) {
    for (const [month, kind] of [
      [3, "spring"],
      [10, "autumn"],
    ] as const) {
      const date = lastSunday(y, month);
      const indices = ["01:00:00", "01:15:00", "01:30:00", "01:45:00"].map((hm) =>
        index.get(`${date} ${hm}`),
      );
      if (!indices.every((i) => i !== undefined && i > 0 && i + 1 < values.length)) continue;
      const idx = indices as number[];
      const around = (values[idx[0] - 1] + values[idx[3] + 1]) / 2; //   00:45 and 02:00
      const hour = idx.map((i) => values[i]);
      const affected =
        kind === "spring"
          ? hour.every((v) => v < 0.2 * around)
          : hour.reduce((a, b) => a + b, 0) / 4 > 1.5 * around;
      days.push({ date, kind, indices: idx, affected });
    }
  }
  return days;
}

/** A copy of the values with the affected change-day hours repaired; `repaired` lists them. */
export function repairDst(
  timestamps: string[],
  values: ArrayLike<number>,
): { values: Float64Array; repaired: DstDay[] } {
  const out = Float64Array.from(values);
  const days = dstDays(timestamps, values).filter((d) => d.affected);
  for (const d of days) {
    const [a, , , z] = d.indices;
    if (d.kind === "spring") {
      const before = out[a - 1];
      const after = out[z + 1];
      d.indices.forEach((i, k) => (out[i] = before + ((after - before) * (k + 1)) / 5));
    } else d.indices.forEach((i) => (out[i] = out[i] / 2));
  }
  return { values: out, repaired: days };
}
