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
});
