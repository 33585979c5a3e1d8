/**
 * Notebook code must read in the HTML reports, which cut long lines off: no code line over
 * 100 characters (the library's own prettier width).
 */
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../src/project";

const MAX = 100;
const dir = join(projectRoot(), "notebooks");
const notebooks = readdirSync(dir)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
}

describe("notebook style", () => {
  it("has notebooks to check", () => {
    expect(notebooks.length).toBeGreaterThan(0);
  });
  for (const name of notebooks) {
    const cells = (JSON.parse(readFileSync(join(dir, name), "utf8")) as { cells: Cell[] }).cells;
    it(`${name}: no code line over ${MAX} characters`, () => {
      const long: string[] = [];
      cells.forEach((c, i) => {
        if (c.cell_type !== "code") return;
        const src = Array.isArray(c.source) ? c.source.join("") : c.source;
        src.split("\n").forEach((line, j) => {
          const n = [...line].length; //                               characters, not UTF-16 units
          if (n > MAX) long.push(`${name} cell ${i} line ${j + 1}: ${n} characters`);
        });
      });
      expect(long, long.join("\n")).toEqual([]);
    });
    it(`${name}: stored without outputs`, () => {
      const withOutputs = cells
        .map((c, i) => (c.outputs && c.outputs.length > 0 ? `cell ${i}` : ""))
        .filter(Boolean);
      expect(withOutputs, `${name}: ${withOutputs.join(", ")}`).toEqual([]);
    });
  }
});
