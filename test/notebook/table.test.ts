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
    expect(b["text/plain"]).toContain("2 rows × 2 columns");
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
    expect(t.rows[9].index).toBe("99");
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
