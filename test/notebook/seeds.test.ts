import { afterEach, describe, expect, it } from "vitest";
import { formatMeanSd, meanSd, seeds } from "../../src/notebook/seeds";

const saved = process.env.RNN_QUICK;
afterEach(() => {
  if (saved === undefined) delete process.env.RNN_QUICK;
  else process.env.RNN_QUICK = saved;
});

describe("seeds and mean ± sd", () => {
  it("runs three seeds in full mode and one in quick mode", () => {
    process.env.RNN_QUICK = "0";
    expect(seeds()).toEqual([1, 2, 3]);
    expect(seeds({ full: 5 })).toEqual([1, 2, 3, 4, 5]);
    process.env.RNN_QUICK = "1";
    expect(seeds()).toEqual([1]);
    expect(() => seeds({ quick: 0 })).toThrow(/positive integer \(got 0\)/);
  });

  it("computes the sample standard deviation (n − 1)", () => {
    const r = meanSd([1, 2, 3, 4]);
    expect(r.mean).toBe(2.5);
    expect(r.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(Number.isNaN(meanSd([7]).sd)).toBe(true);
  });

  it("formats with the number of seeds, and refuses empty or non-finite input", () => {
    expect(formatMeanSd([1, 2, 3], 2)).toBe("2.00 ± 1.00 (3 seeds)");
    expect(formatMeanSd([0.5])).toBe("0.500 (1 seed)");
    expect(formatMeanSd([0.04041, 0.04043, 0.04045], 4)).toBe("0.0404 ± 0.000020 (3 seeds)");
    expect(formatMeanSd([2, 2], 2)).toBe("2.00 ± 0 (2 seeds)");
    expect(() => meanSd([])).toThrow(/at least one value/);
    expect(() => meanSd([1, NaN])).toThrow(/value 1 is NaN/);
  });
});
