/**
 * Comparisons over several seeds: mean ± sample standard deviation.
 *
 *   mean = (1/n) Σ xᵢ,   sd = √( Σ (xᵢ − mean)² / (n − 1) )
 *
 * A comparison that decides something (cell against cell, stateless against stateful) runs
 * once per seed of {@link seeds}: three in full mode, one in quick mode.
 */
import { isQuick } from "../project";

/** The seeds a comparison runs over: `[1, 2, 3]` in full mode, `[1]` in quick mode. */
export function seeds({ full = 3, quick = 1 }: { full?: number; quick?: number } = {}): number[] {
  const n = isQuick() ? quick : full;
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`seeds: the number of seeds must be a positive integer (got ${n})`);
  return Array.from({ length: n }, (_, k) => k + 1);
}

export interface MeanSd {
  mean: number;
  /** Sample standard deviation; NaN for a single value (one seed says nothing about spread). */
  sd: number;
  n: number;
}

/** Mean and sample standard deviation of finite values. */
export function meanSd(values: readonly number[]): MeanSd {
  if (values.length === 0) throw new Error("meanSd: needs at least one value");
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`meanSd: value ${bad} is ${values[bad]}; pass finite numbers`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, sd, n };
}

const sdText = (sd: number, digits: number) =>
  sd === 0
    ? "0"
    : sd.toFixed(digits) === (0).toFixed(digits)
      ? sd.toPrecision(2)
      : sd.toFixed(digits);

/**
 * "1.234 ± 0.012 (3 seeds)", or "1.234 (1 seed)" when there is one value. A spread too small for
 * `digits` decimals keeps two significant digits ("0.0404 ± 0.000021"), never a bare "± 0.0000".
 */
export function formatMeanSd(values: readonly number[], digits = 3): string {
  const { mean, sd, n } = meanSd(values);
  const seedsText = `(${n} seed${n === 1 ? "" : "s"})`;
  return n > 1
    ? `${mean.toFixed(digits)} ± ${sdText(sd, digits)} ${seedsText}`
    : `${mean.toFixed(digits)} ${seedsText}`;
}
