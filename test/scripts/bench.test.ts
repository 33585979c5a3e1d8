import { spawnSync } from "child_process";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/project";

describe("npm run bench", () => {
  it("prints one JSON object with ours and tf.layers per model and a sweep (quick, 1 step)", () => {
    const r = spawnSync(
      process.execPath,
      [join(projectRoot(), "scripts", "bench.mjs"), "--json", "--quick", "--steps", "1"],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() as string);
    expect(out.backend).toMatch(/^(wasm|cpu|tensorflow)$/);
    for (const kind of ["lstm", "gru", "simple"]) {
      expect(out.models[kind].ours_ms).toBeGreaterThan(0);
      expect(out.models[kind].layers_ms).toBeGreaterThan(0);
      expect(out.models[kind].ours_reference_ops_ms).toBeGreaterThan(0);
      expect(out.models[kind].ours_tensors_leaked).toBe(0);
      expect(out.models[kind].guards_share).toBeGreaterThan(0);
      expect(out.models[kind].guards_share).toBeLessThan(1);
    }
    expect(out.sweep.map((s: { T: number }) => s.T)).toEqual([25, 100]);
  }, 120_000);

  it("--workers 2 --only parallel reports single vs parallel chars/s (quick, 1 step)", () => {
    const r = spawnSync(
      process.execPath,
      [
        join(projectRoot(), "scripts", "bench.mjs"),
        ...["--json", "--quick", "--steps", "1", "--workers", "2", "--only", "parallel"],
      ],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() as string);
    expect(out.models).toEqual({});
    const p = out.parallel;
    expect(p.workers).toBe(2);
    expect(p.single_chars_per_s).toBeGreaterThan(0);
    expect(p.parallel_chars_per_s).toBeGreaterThan(0);
    expect(p.speedup).toBeCloseTo(p.single_ms / p.parallel_ms, 2);
    expect(p.worker_tensors_between_steps).toEqual([0, 0]);
  }, 120_000);
  it("refuses a bad --workers in one line", () => {
    const r = spawnSync(
      process.execPath,
      [join(projectRoot(), "scripts", "bench.mjs"), "--workers", "0"],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("bench: --workers needs a positive integer (got 0)");
  });
});
