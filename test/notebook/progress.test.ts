import { describe, expect, it } from "vitest";
import { progress, progressBundle } from "../../src/notebook/progress";
import { captureOutputs } from "../helpers";

describe("progress", () => {
  it("shows count, throughput and ETA", () => {
    const b = progressBundle("train", "step", 25, 100, 5, "loss 1.2", false);
    expect(b["text/plain"]).toBe("train 25/100 (25%) 5.00 step/s ETA 15s · loss 1.2");
    expect(progressBundle("", "it", 100, 100, 20, "", true)["text/plain"]).toBe(
      "100/100 (100%) 5.00 it/s 20s total",
    );
  });

  it("updates one output in place, throttled", async () => {
    let t = 0;
    let p: ReturnType<typeof progress> | undefined;
    const got = await captureOutputs(() => {
      p = progress({ total: 1000, minIntervalMs: 100, now: () => t });
      for (let i = 0; i < 1000; i++) {
        t += 1; // 1 ms per step: 1000 steps in 1 s
        p.tick();
      }
      p.done();
    });
    expect(p!.count).toBe(1000);
    expect(got.length).toBeLessThanOrEqual(13); // first show + ≤ 11 throttled updates + done
    expect(got.length).toBeGreaterThanOrEqual(5);
    expect(new Set(got.map((g) => g.displayId)).size).toBe(1);
    expect(got.slice(1).every((g) => g.update)).toBe(true);
    expect(got[got.length - 1].bundle["text/plain"]).toContain("1000/1000 (100%)");
  });

  it("prints only the final line outside a kernel", async () => {
    const got = await captureOutputs(() => {
      const p = progress({ total: 3 });
      p.tick();
      p.tick();
      p.tick();
      p.done("ok");
    }, false);
    expect(got).toHaveLength(1);
    expect(got[0].bundle["text/plain"]).toMatch(/^3\/3 \(100%\).* · ok$/);
  });

  it("rejects a negative total", () => {
    expect(() => progress({ total: -1 })).toThrow(
      "progress: total must be a non-negative number (got -1)",
    );
  });
});
