import { describe, expect, it } from "vitest";
import { tableBundle, tableCells } from "../../src/notebook/table";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dfd = require("danfojs-node");

describe("table", () => {
  it("shows a danfo DataFrame as an HTML table with a text fallback", () => {
    const df = new dfd.DataFrame({ name: ["a", "b<"], loss: [1.234567, 2] });
    const b = tableBundle(df, { caption: "losses" });
    expect(b["text/html"]).toContain("<th>loss</th>");
    expect(b["text/html"]).toContain("<td>1.235</td>");
    expect(b["text/html"]).toContain("b&lt;");
    expect(b["text/plain"]).toContain("losses");
    // danfo's default index (0, 1, …) means nothing: no index column, and no footer when
    // every row is shown
    expect(b["text/html"]).toContain("<thead><tr><th>name</th><th>loss</th></tr></thead>");
    expect(b["text/html"]).not.toContain("rows");
    expect(b["text/plain"].split("\n")[1].trim()).toBe("name   loss");
  });

  it("keeps an index that means something, and says how many rows it left out", () => {
    const df = new dfd.DataFrame({ x: [1, 2, 3, 4] }, { index: ["mon", "tue", "wed", "thu"] });
    const b = tableBundle(df, { maxRows: 2 });
    expect(b["text/html"]).toContain("<tr><th>mon</th><td>1</td></tr>");
    expect(b["text/html"]).toContain("4 rows, 2 not shown");
  });

  it("elides the middle of long frames and says how many rows it hid", () => {
    const t = tableCells(
      {
        columns: ["x"],
        index: [...Array(100).keys()],
        values: [...Array(100).keys()].map((i) => [i]),
      },
      { maxRows: 10 },
    );
    expect(t.rows).toHaveLength(10);
    expect(t.elided).toBe(90);
    expect(t.rows[9].cells).toEqual(["99"]);
  });

  it("takes plain row objects", () => {
    const b = tableBundle([
      { model: "lstm", rmse: 0.05 },
      { model: "gru", mae: 0.1 },
    ]);
    expect(b["text/html"]).toContain("<th>mae</th>");
  });

  it("rejects anything else with a one-line error", () => {
    expect(() => tableBundle(42 as never)).toThrow(
      "table(data): expected a danfo DataFrame or an array of row objects",
    );
  });
});
