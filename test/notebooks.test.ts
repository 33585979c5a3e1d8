/**
 * Every notebook in notebooks/ runs top to bottom in quick mode with the real tslab kernel
 * (no Python needed). Executed copies go to reports/notebooks/ for `npm run reports`.
 */
import { readdirSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { runNotebook } from "../scripts/lib/runner.mjs";
import { projectRoot, reportsDir } from "../src/project";

const dir = join(projectRoot(), "notebooks");
const notebooks = readdirSync(dir)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

describe("notebooks (quick mode)", () => {
  it("has notebooks to run", () => {
    expect(notebooks).toContain("00-tour.ipynb");
  });
  for (const name of notebooks) {
    it(`${name} runs without error`, async () => {
      const r = await runNotebook(join(dir, name), {
        outDir: join(reportsDir(), "notebooks"),
        quick: true,
        cellTimeoutS: 300,
      });
      expect(r.error ?? "").toBe("");
      expect(r.ok).toBe(true);
    }, 600_000);
  }
});
