/** Time-series parts for notebook 06: checks, scaling, split, windows, stateful layout, DST. */
import { describe, expect, it } from "vitest";
import { loadElectricity } from "../../src/data";
import { checkSeries, wallClockMinutes } from "../../src/series/check";
import { dstDays, lastSunday, repairDst } from "../../src/series/dst";
import { mae, mape, rmse } from "../../src/series/metrics";
import { fitMinMax } from "../../src/series/scale";
import { splitByTime } from "../../src/series/split";
import { checkContinuity, overlappingLayout, statefulLayout } from "../../src/series/stateful";
import { windowInputs, windowTargets } from "../../src/series/windows";

const grid = (n: number, startHour = 0) =>
  Array.from({ length: n }, (_, i) => {
    const m = startHour * 60 + 15 * i;
    return `2020-01-0${1 + Math.floor(m / 1440)} ${String(Math.floor((m % 1440) / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}:00`;
  });

describe("checkSeries", () => {
  it("accepts a regular series", () => {
    expect(() =>
      checkSeries(grid(10), new Float64Array(10).fill(1), { stepMinutes: 15 }),
    ).not.toThrow();
  });

  it("names NaN, duplicates, unsorted timestamps, gaps and a too-short series", () => {
    const ts = grid(6);
    const v = [1, 2, NaN, 4, 5, 6];
    expect(() => checkSeries(ts, v, { stepMinutes: 15 })).toThrow(
      "series: value NaN at 2020-01-01 00:30:00 (index 2); fill or drop it before modelling",
    );
    const v2 = [1, 2, 3, 4, 5, 6];
    expect(() =>
      checkSeries([ts[0], ts[1], ts[1], ts[3], ts[4], ts[5]], v2, { stepMinutes: 15 }),
    ).toThrow("series: duplicate timestamp 2020-01-01 00:15:00 at index 2");
    expect(() =>
      checkSeries([ts[1], ts[0], ts[2], ts[3], ts[4], ts[5]], v2, { stepMinutes: 15 }),
    ).toThrow(
      "series: timestamps not sorted: 2020-01-01 00:00:00 (index 1) comes after 2020-01-01 00:15:00",
    );
    expect(() =>
      checkSeries([ts[0], ts[1], ts[3], ts[4], ts[5], grid(7)[6]], v2, { stepMinutes: 15 }),
    ).toThrow("series: gap of 30 minutes before 2020-01-01 00:45:00 (index 2); expected 15");
    expect(() => checkSeries(ts, v2, { stepMinutes: 15, minLength: 21 })).toThrow(
      "series: 6 readings, shorter than the 21 needed (one window and its target)",
    );
  });

  it("refuses timestamps that do not exist instead of rolling them over", () => {
    for (const ts of ["2020-02-30 00:00:00", "2020-13-01 00:00:00", "2020-01-01 25:00:00"])
      expect(() => wallClockMinutes(ts)).toThrow(`timestamp "${ts}" is not a real date and time`);
    expect(wallClockMinutes("2020-02-29 00:15:00") - wallClockMinutes("2020-02-28 00:15:00")).toBe(
      1440,
    );
  });

  it("the shipped electricity series passes", () => {
    const { timestamps, kW } = loadElectricity();
    expect(() => checkSeries(timestamps, kW, { stepMinutes: 15 })).not.toThrow();
  });
});

describe("scaling, split and metrics", () => {
  it("fits min–max on the training data only and inverts exactly", () => {
    const sc = fitMinMax([2, 4, 6]);
    expect(Array.from(sc.scale([2, 6, 8]))).toEqual([0, 1, 1.5]); // test data may leave [0, 1]
    expect(Array.from(sc.unscale(sc.scale([3, 7])))).toEqual([3, 7]);
    expect(() => fitMinMax([5, 5])).toThrow("the training data is constant (5)");
    expect(() => fitMinMax([1, NaN])).toThrow("fitMinMax: value NaN at index 1");
  });

  it("splits in time order without overlap", () => {
    expect(splitByTime(100, { train: 0.7, val: 0.15 })).toEqual({
      train: { start: 0, end: 70 },
      val: { start: 70, end: 85 },
      test: { start: 85, end: 100 },
    });
    expect(() => splitByTime(100, { train: 0.9, val: 0.2 })).toThrow("train + val < 1");
  });

  it.each([
    [
      3,
      {},
      "train 2, val 0, test 1 (fractions train 0.7, val 0.15): the val part is empty; use at least 7 readings or a larger val fraction",
    ],
    [
      1,
      { train: 0.5, val: 0.25 },
      "train 0, val 0, test 1 (fractions train 0.5, val 0.25): the train part is empty; use at least 4 readings",
    ],
    [
      10,
      { train: 0.05, val: 0.5 },
      "train 0, val 5, test 5 (fractions train 0.05, val 0.5): the train part is empty; use at least 20 readings or a larger train fraction",
    ],
  ])("refuses a split of %i readings (%o) with an empty part, naming the sizes", (n, f, msg) => {
    expect(() => splitByTime(n, f)).toThrow(`splitByTime: ${n} readings split as ${msg}`);
  });

  it("the suggested length gives every part a reading; val: 0 asks for no validation part", () => {
    for (const [train, val] of [
      [0.7, 0.15],
      [0.5, 0.25],
      [0.05, 0.5],
      [0.8, 0.1],
      [0.6, 0.3],
    ]) {
      let need = 0;
      try {
        splitByTime(1, { train, val });
      } catch (e) {
        need = Number(/use at least (\d+) readings/.exec((e as Error).message)?.[1]);
      }
      const s = splitByTime(need, { train, val });
      for (const part of [s.train, s.val, s.test]) expect(part.end).toBeGreaterThan(part.start);
    }
    expect(splitByTime(3, { train: 0.5, val: 0 }).val).toEqual({ start: 1, end: 1 });
  });

  it("RMSE, MAE and MAPE follow their formulas", () => {
    expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 12);
    expect(mae([1, 2, 3], [2, 2, 5])).toBeCloseTo(1, 12);
    expect(mape([110, 90], [100, 100])).toBeCloseTo(10, 12);
    expect(() => mape([1], [0])).toThrow("MAPE is undefined there");
    expect(() => rmse([1], [1, 2])).toThrow("rmse: 1 predictions for 2 actual values");
  });
});

describe("windows", () => {
  it("pairs n inputs with the reading h steps after the last", () => {
    const t = windowTargets(30, { inputs: 20, horizon: 2 });
    expect(t[0]).toBe(21);
    expect(windowInputs(21, { inputs: 20, horizon: 2 })).toEqual([...Array(20).keys()]);
    expect(() => windowTargets(15, { inputs: 20 })).toThrow(
      "windows: 15 readings are shorter than one window (20 inputs + 1 ahead)",
    );
  });

  it("every target and input lies in the series", () => {
    const targets = windowTargets(100, { inputs: 3, horizon: 2, start: 10, end: 100 });
    expect(targets[0]).toBe(10);
    expect(targets[targets.length - 1]).toBe(99);
    for (const t of targets)
      for (const i of windowInputs(t, { inputs: 3, horizon: 2 }))
        expect(i).toBeGreaterThanOrEqual(0);
  });

  // one row per bad call: the one-line message
  it.each([
    [
      "end past the series",
      () => windowTargets(100, { inputs: 3, end: 1000 }),
      "windows: end 1000 is past the end of the series (100 readings): targets must lie in it, so pass end ≤ 100",
    ],
    [
      "end one past the series",
      () => windowTargets(100, { inputs: 3, end: 101 }),
      "windows: end 101 is past the end",
    ],
    [
      "negative start",
      () => windowTargets(100, { inputs: 3, start: -5 }),
      "windows: start and end must be integers with 0 ≤ start (got start -5, end 100)",
    ],
    [
      "NaN end",
      () => windowTargets(100, { inputs: 3, end: NaN }),
      "windows: start and end must be integers with 0 ≤ start (got start 0, end NaN)",
    ],
    [
      "fractional length",
      () => windowTargets(10.5, { inputs: 3 }),
      "windows: length must be a non-negative integer (got 10.5)",
    ],
    [
      "empty target range",
      () => windowTargets(100, { inputs: 3, start: 50, end: 20 }),
      "windows: 100 readings are shorter than one window (3 inputs + 1 ahead) in [50, 20)",
    ],
    [
      "target before its first full window",
      () => windowInputs(2, { inputs: 3, horizon: 1 }),
      "windows: target 2 has no full window before it (3 inputs + 1 ahead need t ≥ 3)",
    ],
    [
      "windowInputs with inputs 0",
      () => windowInputs(5, { inputs: 0 }),
      "windows: inputs must be a positive integer (got 0)",
    ],
    [
      "overlapping layout shorter than a batch",
      () => overlappingLayout(100, { inputs: 20, batch: 96 }),
      "overlappingLayout: 100 readings give 80 windows of 20 (each with a target after it), fewer than one batch of 96",
    ],
    [
      "overlapping layout with batch 0",
      () => overlappingLayout(100, { inputs: 20, batch: 0 }),
      "overlappingLayout: batch must be a positive integer (got 0)",
    ],
    [
      "stateful layout over NaN readings",
      () => statefulLayout(NaN, { streams: 2, steps: 3 }),
      "statefulLayout: n must be a non-negative integer (got NaN)",
    ],
    [
      "stateful layout from a negative start",
      () => statefulLayout(50, { streams: 2, steps: 3, start: -1 }),
      "statefulLayout: start must be a non-negative integer (got -1)",
    ],
  ])("refuses %s", (_, call, msg) => {
    expect(call).toThrow(msg);
  });

  it("layouts stay inside their readings", () => {
    const lay = statefulLayout(103, { streams: 4, steps: 5, start: 7 });
    const idx = lay.flat(2);
    expect(Math.min(...idx)).toBe(7);
    expect(Math.max(...idx)).toBeLessThan(7 + 103);
    const book = overlappingLayout(300, { inputs: 20, batch: 7 }).flat(2);
    expect(Math.max(...book)).toBeLessThan(300 - 1); // the last reading is a target only
  });
});

describe("stateful layout", () => {
  it("row i of batch k + 1 continues row i of batch k", () => {
    const lay = statefulLayout(1000, { streams: 4, steps: 10 });
    expect(lay).toHaveLength(25);
    expect(lay[0][1][0]).toBe(250);
    expect(lay[1][1][0]).toBe(260);
    expect(checkContinuity(lay)).toEqual({ ok: true });
  });

  it("rejects the Keras book's step-1-overlap layout, naming where it breaks", () => {
    const book = overlappingLayout(1000, { inputs: 20, batch: 96 });
    expect(checkContinuity(book)).toEqual({
      ok: false,
      reason: "batch 1 row 0 starts at index 96, but row 0 of batch 0 ended at 19 (expected 20)",
    });
    const shuffled = statefulLayout(1000, { streams: 4, steps: 10 });
    [shuffled[3], shuffled[4]] = [shuffled[4], shuffled[3]];
    expect(checkContinuity(shuffled).ok).toBe(false);
  });

  it("says when the series is too short for one batch", () => {
    expect(() => statefulLayout(50, { streams: 8, steps: 10 })).toThrow(
      "statefulLayout: 50 readings give streams of 6, shorter than one batch of 10 steps",
    );
  });
});

describe("daylight-saving artefacts", () => {
  const { timestamps, kW } = loadElectricity();

  it("finds the change days, and the artefacts only on 2012–2014 as data/README.md says", () => {
    expect(lastSunday(2012, 3)).toBe("2012-03-25");
    expect(lastSunday(2014, 10)).toBe("2014-10-26");
    const days = dstDays(timestamps, kW);
    expect(days.map((d) => `${d.date}:${d.affected}`)).toEqual([
      "2011-03-27:false",
      "2011-10-30:false",
      "2012-03-25:true",
      "2012-10-28:true",
      "2013-03-31:true",
      "2013-10-27:true",
      "2014-03-30:true",
      "2014-10-26:true",
    ]);
    const spring = days.find((d) => d.date === "2013-03-31")!;
    expect(spring.indices.map((i) => kW[i].toFixed(3))).toEqual([
      "0.668",
      "0.668",
      "0.668",
      "0.668",
    ]);
  });

  it("interpolates spring hours, halves autumn hours, and leaves the rest alone", () => {
    const { values, repaired } = repairDst(timestamps, kW);
    expect(repaired).toHaveLength(6);
    const spring = repaired.find((d) => d.kind === "spring")!;
    const [a, , , z] = spring.indices;
    const step = (kW[z + 1] - kW[a - 1]) / 5;
    spring.indices.forEach((i, k) => expect(values[i]).toBeCloseTo(kW[a - 1] + step * (k + 1), 10));
    const autumn = repaired.find((d) => d.kind === "autumn")!;
    autumn.indices.forEach((i) => expect(values[i]).toBeCloseTo(kW[i] / 2, 10));
    let changed = 0;
    for (let i = 0; i < kW.length; i++) if (values[i] !== kW[i]) changed++;
    expect(changed).toBe(24);
  });
});
