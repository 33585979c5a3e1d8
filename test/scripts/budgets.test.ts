import { readdirSync, readFileSync } from "fs";
import { basename, join } from "path";
import { describe, expect, it } from "vitest";
import { applyBudgets, budgetTable, END, START } from "../../scripts/budgets.mjs";
import { projectRoot } from "../../src/project";

interface Cell {
  cell_type: string;
  id: string;
  source: string;
  metadata: Record<string, unknown>;
}
const code = (id: string, seconds?: number): Cell => ({
  cell_type: "code",
  id,
  source: "",
  metadata: seconds === undefined ? {} : { "rnn-workbook": { seconds } },
});

describe("full-mode budgets", () => {
  it("copies long cells' measured times and the total from a full run", () => {
    const source = { metadata: {}, cells: [code("a"), code("b"), code("c")] };
    source.cells[2].metadata = { "rnn-workbook": { full_seconds: 99 } };
    const executed = {
      metadata: {
        "rnn-workbook": { quick: false, ok: true, seconds: 700.2, executed: "2026-12-04T18:00Z" },
      },
      cells: [code("a", 3.5), code("b", 612.4), code("c", 12)],
    };
    expect(applyBudgets(source, executed)).toBe(true);
    expect(source.cells[0].metadata).toEqual({});
    expect(source.cells[1].metadata).toEqual({ "rnn-workbook": { full_seconds: 613 } });
    expect(source.cells[2].metadata).toEqual({}); //              no longer long: budget dropped
    expect(source.metadata).toEqual({
      "rnn-workbook": { full_seconds: 701, measured: "2026-12-04" },
    });
  });

  it("ignores quick or failed runs", () => {
    const source = { metadata: {}, cells: [code("a")] };
    for (const meta of [
      { quick: true, ok: true, seconds: 5, executed: "x" },
      { quick: false, ok: false, seconds: 5, executed: "x" },
    ])
      expect(applyBudgets(source, { metadata: { "rnn-workbook": meta }, cells: [] })).toBe(false);
    expect(source.metadata).toEqual({});
  });

  it("README's table is the one the notebooks' metadata gives", () => {
    const root = projectRoot();
    const dir = join(root, "notebooks");
    const notebooks = readdirSync(dir)
      .filter((f) => f.endsWith(".ipynb"))
      .sort()
      .map((f) => ({
        name: basename(f, ".ipynb"),
        nb: JSON.parse(readFileSync(join(dir, f), "utf8")),
      }));
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END));
    const cellsOf = (table: string) =>
      table
        .split("\n")
        .filter((l) => l.startsWith("|") && !/^\|\s*-/.test(l))
        .map((l) => l.split("|").map((c) => c.trim()));
    expect(cellsOf(section)).toEqual(cellsOf(budgetTable(notebooks)));
  });
});
