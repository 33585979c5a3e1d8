import { spawnSync } from "child_process";
import { readFileSync, writeFileSync } from "fs";
import { join, relative } from "path";
import { describe, expect, it } from "vitest";
import {
  runNotebook,
  selectNotebooks,
  readNotebook,
  errorSummary,
  cellLimitS,
} from "../../scripts/lib/runner.mjs";
import { projectRoot } from "../../src/project";
import { projectTempDir as tempDir } from "../helpers";
import { runnerArgs, writeNotebook } from "./nb";

interface Output {
  output_type: string;
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  id: string;
  execution_count: number | null;
  outputs: Output[];
}

/** The parts of the nbformat 4.5 schema a reader relies on. */
function expectValidNbformat(nb: {
  nbformat: number;
  nbformat_minor: number;
  metadata: object;
  cells: Cell[];
}) {
  expect(nb.nbformat).toBe(4);
  expect(nb.nbformat_minor).toBeGreaterThanOrEqual(5);
  for (const c of nb.cells) {
    expect(typeof c.id).toBe("string");
    if (c.cell_type !== "code") continue;
    expect(Array.isArray(c.outputs)).toBe(true);
    for (const o of c.outputs) {
      expect(["stream", "display_data", "execute_result", "error"]).toContain(o.output_type);
      if (o.output_type === "stream") expect(typeof o.text).toBe("string");
      if (o.output_type === "display_data") expect(typeof o.data?.["text/plain"]).toBe("string");
    }
  }
  const py = spawnSync(
    "python3",
    [
      "-c",
      "import nbformat,sys; nbformat.validate(nbformat.reads(sys.stdin.read(), as_version=4))",
    ],
    { input: JSON.stringify(nb), encoding: "utf8" },
  );
  if (py.status === 0 || !/No module named/.test(py.stderr)) expect(py.stderr).toBe("");
}

describe("headless notebook runner", () => {
  it("executes a notebook with the real tslab kernel and writes a valid executed copy", async () => {
    const dir = tempDir();
    const path = writeNotebook(dir, "ok", [
      { md: "# Title" },
      'import * as rnn from "rnn-workbook";\nconst env = await rnn.setup();',
      "console.log(1 + 1);\nconsole.error('warn');\nrnn.plot({ data: [{ y: [1, 2] }] });",
      "const p = rnn.progress({ total: 5 });\nfor (let i = 0; i < 5; i++) { await new Promise((r) => setTimeout(r, 250)); p.tick(); }\np.done();",
      "rnn.record('t.value', env.quick ? 1 : 2);",
    ]);
    const out = join(dir, "out");
    const r = await runNotebook(path, { outDir: out, quick: true, env: { RNN_REPORTS_DIR: dir } });
    expect(r.ok).toBe(true);
    expect(r.seconds).toBeGreaterThan(0);
    const nb = JSON.parse(readFileSync(join(out, "ok.ipynb"), "utf8"));
    expectValidNbformat(nb);
    const [, setup, second, prog, rec] = nb.cells as Cell[];
    expect(setup.outputs.some((o) => o.text?.includes("quick mode"))).toBe(true);
    expect(second.outputs.find((o) => o.name === "stdout")?.text).toBe("2\n");
    expect(second.outputs.find((o) => o.name === "stderr")?.text).toBe("warn\n");
    expect(
      Object.keys(second.outputs.find((o) => o.output_type === "display_data")!.data!),
    ).toContain("application/vnd.plotly.v1+json");
    const bars = prog.outputs.filter((o) => o.output_type === "display_data");
    expect(bars).toHaveLength(1); // updated in place, not appended
    expect(bars[0].data!["text/plain"]).toMatch(/^5\/5 \(100%\)/);
    // the record's display (found by type: a CI run once saw another output first in this cell,
    // with no metadata; its text is in the message if it comes back)
    const recorded = rec.outputs.find((o) => o.output_type === "display_data");
    expect(recorded?.metadata, JSON.stringify(rec.outputs)).toEqual({
      "rnn-workbook": { metric: "t.value", value: 1 },
    });
    expect(JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8"))).toEqual({ "t.value": 1 });
  });

  it("stops at a failing cell, names notebook, cell index and error, and keeps the partial copy", async () => {
    const dir = tempDir();
    const path = writeNotebook(dir, "bad", [
      "const a = 1;",
      { md: "text" },
      "throw new RangeError('learning rate must be positive');",
      "console.log('not run');",
    ]);
    const r = await runNotebook(path, { outDir: dir });
    expect(r.ok).toBe(false);
    expect(r.failedCell).toBe(2);
    expect(r.error).toBe(
      `${relative(process.cwd(), path)}: cell 2 failed: RangeError: learning rate must be positive`,
    );
    const nb = JSON.parse(readFileSync(join(dir, "bad.ipynb"), "utf8"));
    expect(nb.cells[3].outputs).toEqual([]);
    expect(nb.metadata["rnn-workbook"].ok).toBe(false);
  });

  it("reports TypeScript compile errors in a cell", async () => {
    const dir = tempDir();
    const r = await runNotebook(writeNotebook(dir, "ts", ["const n: number = 'text';"]), {
      outDir: dir,
    });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/cell 0 failed: .*Type 'string' is not assignable to type 'number'/);
  });

  it("times out a cell that runs too long instead of hanging", async () => {
    const dir = tempDir();
    const t0 = Date.now();
    const r = await runNotebook(
      writeNotebook(dir, "slow", ["await new Promise((r) => setTimeout(r, 60000));"]),
      { outDir: dir, cellTimeoutS: 2 },
    );
    expect(r.ok).toBe(false);
    expect(r.error).toContain("cell 0 failed: timed out after 2 s");
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("records every line of a 20,000-line burst, in order", async () => {
    const dir = tempDir();
    const r = await runNotebook(
      writeNotebook(dir, "burst", [
        "for (let i = 0; i < 20000; i++) console.log('line ' + i);",
        "console.log('after');",
      ]),
      { outDir: dir, cellTimeoutS: 60 },
    );
    expect(r.ok).toBe(true);
    const nb = JSON.parse(readFileSync(join(dir, "burst.ipynb"), "utf8"));
    expect(nb.cells[0].outputs.map((o: Output) => o.text).join("")).toBe(
      Array.from({ length: 20000 }, (_, i) => `line ${i}\n`).join(""),
    );
    expect(nb.cells[1].outputs[0].text).toBe("after\n");
  });

  it("survives a flood of outputs from one synchronous block, keeping their order and the final progress", async () => {
    const dir = tempDir();
    const path = writeNotebook(dir, "flood", [
      'import * as rnn from "rnn-workbook";',
      "const p = rnn.progress({ total: 20000, minIntervalMs: 0 });\nfor (let i = 0; i < 20000; i++) p.tick();\np.done();\nfor (let k = 0; k < 30; k++) rnn.show({ 'text/plain': 'out ' + k });",
      "await rnn.flushOutputs(); // kept as a no-op\nconsole.log('alive');",
    ]);
    const r = await runNotebook(path, { outDir: dir, cellTimeoutS: 60 });
    expect(r.error ?? "").toBe("");
    const nb = JSON.parse(readFileSync(join(dir, "flood.ipynb"), "utf8"));
    const texts = (nb.cells[1].outputs as Output[]).map((o) => o.data?.["text/plain"] as string);
    expect(texts[0]).toMatch(/^20000\/20000 \(100%\)/);
    expect(texts.slice(1)).toEqual(Array.from({ length: 30 }, (_, k) => `out ${k}`));
    expect(nb.cells[2].outputs[0].text).toBe("alive\n");
  });

  it("selects notebooks by name or prefix and explains a bad name", () => {
    const dir = tempDir();
    writeNotebook(dir, "01-a", []);
    writeNotebook(dir, "02-b", []);
    expect(selectNotebooks(dir).map((p: string) => p.slice(dir.length + 1))).toEqual([
      "01-a.ipynb",
      "02-b.ipynb",
    ]);
    expect(selectNotebooks(dir, ["02"])).toEqual([join(dir, "02-b.ipynb")]);
    expect(() => selectNotebooks(dir, ["0"])).toThrow(
      'notebook "0": ambiguous (01-a.ipynb, 02-b.ipynb)',
    );
    expect(() => selectNotebooks(dir, ["9"])).toThrow('notebook "9": no match');
  });

  it("rejects a file that is not an nbformat 4 notebook", () => {
    const dir = tempDir();
    const p = join(dir, "x.ipynb");
    writeFileSync(p, '{"nbformat": 3}');
    expect(() => readNotebook(p)).toThrow("not an nbformat 4 notebook");
  });

  it("summarises kernel error text without stack frames", () => {
    expect(
      errorSummary("evalmachine.<anonymous>:2\nthrow x;\n^\n\nError: boom\n    at a (b:1:2)"),
    ).toBe("Error: boom");
    expect(errorSummary("")).toContain("without text");
  });

  it("the CLI exits non-zero and prints the failing notebook and cell", () => {
    const dir = tempDir();
    writeNotebook(dir, "cli", ["throw new Error('bad cell');"]);
    const r = spawnSync(process.execPath, runnerArgs(dir), { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL cli\s+\d+\.\d s/);
    expect(r.stderr).toContain(
      `${relative(projectRoot(), join(dir, "cli.ipynb"))}: cell 0 failed: Error: bad cell`,
    );
    const bad = spawnSync(
      process.execPath,
      [join(projectRoot(), "scripts", "run-notebooks.mjs"), "--bogus"],
      { encoding: "utf8" },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown option --bogus");
  });
});

describe("per-cell time limits", () => {
  const cell = (full_seconds?: unknown) => ({
    id: "c1",
    metadata: full_seconds === undefined ? {} : { "rnn-workbook": { full_seconds } },
  });
  it("gives a long cell three times its measured full-mode time, never less than the default", () => {
    expect(cellLimitS(cell(), { quick: false, cellTimeoutS: 600 })).toBe(600);
    expect(cellLimitS(cell(420), { quick: false, cellTimeoutS: 600 })).toBe(1260);
    expect(cellLimitS(cell(30), { quick: false, cellTimeoutS: 600 })).toBe(600);
    expect(cellLimitS(cell(420), { quick: true, cellTimeoutS: 300 })).toBe(300);
  });
  it("refuses a budget that is not a positive number, naming the cell", () => {
    expect(() => cellLimitS(cell("7 min"), { quick: false, cellTimeoutS: 600 })).toThrow(
      /cell c1: metadata "rnn-workbook".full_seconds must be a positive number of seconds \(got "7 min"\)/,
    );
  });
});
