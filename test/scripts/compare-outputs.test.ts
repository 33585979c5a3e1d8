import { describe, expect, it } from "vitest";
import { compareNotebooks, outputKinds } from "../../scripts/ci/compare-outputs.mjs";

const code = (outputs: object[]) => ({ cell_type: "code", outputs });
const nb = (...cells: object[]) => ({ cells: [{ cell_type: "markdown" }, ...cells] });
const out = (output_type: string, name?: string) => ({ output_type, name });

describe("compare-outputs (runner vs nbconvert)", () => {
  it("lists a cell's output kinds, consecutive streams of one name as one", () => {
    expect(
      outputKinds([
        out("stream", "stdout"),
        out("stream", "stdout"),
        out("stream", "stderr"),
        out("display_data"),
        out("stream", "stdout"),
        out("execute_result"),
      ]),
    ).toEqual([
      "stream:stdout",
      "stream:stderr",
      "display_data",
      "stream:stdout",
      "execute_result",
    ]);
  });

  it("finds nothing when the kinds match and names the cell when they do not", () => {
    const a = nb(
      code([out("display_data"), out("stream", "stdout")]),
      code([out("execute_result")]),
    );
    const same = nb(
      code([out("display_data"), out("stream", "stdout"), out("stream", "stdout")]),
      code([out("execute_result")]),
    );
    expect(compareNotebooks("x.ipynb", a, same)).toEqual([]);
    const lost = nb(code([out("display_data")]), code([out("execute_result")]));
    expect(compareNotebooks("x.ipynb", a, lost)).toEqual([
      "x.ipynb: code cell 0: runner [display_data, stream:stdout] vs nbconvert [display_data]",
    ]);
    expect(compareNotebooks("x.ipynb", a, nb(code([])))).toEqual([
      "x.ipynb: 2 code cells in the runner's copy, 1 in nbconvert's",
    ]);
  });
});
