import { readFileSync, writeFileSync, mkdirSync } from "fs";
import { join } from "path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metricUnit, readMetrics, record } from "../../src/notebook/record";
import { projectRoot } from "../../src/project";
import { readdirSync } from "fs";
import { captureOutputs, tempDir } from "../helpers";

let dir: string;
const saved = process.env.RNN_REPORTS_DIR;
beforeEach(() => {
  dir = tempDir();
  process.env.RNN_REPORTS_DIR = dir;
});
afterEach(() => {
  process.env.RNN_REPORTS_DIR = saved;
});

describe("record", () => {
  it("merges headline figures into reports/metrics.json", () => {
    record("a.x", 1.5);
    record("a.quick", true);
    record("a.x", 2);
    expect(JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8"))).toEqual({
      "a.quick": true,
      "a.x": 2,
    });
  });

  it("escapes a recorded string in its HTML (a value is text, never markup)", async () => {
    const got = await captureOutputs(() => record("a.s", "<svg onload=alert(1)>"));
    const html = got[0].bundle["text/html"] as string;
    expect(html).toContain("&lt;svg onload=alert(1)&gt;");
    expect(html).not.toContain("<svg");
  });

  it("shows the figure with metadata the report index reads", async () => {
    const got = await captureOutputs(() => record("text.val_loss", 1.5432109));
    expect(got[0].metadata).toEqual({
      "rnn-workbook": { metric: "text.val_loss", value: 1.5432109 },
    });
    expect(got[0].bundle["text/plain"]).toBe(
      "recorded text.val_loss = 1.5432 nats (cross-entropy)",
    );
  });

  it("refuses NaN, infinities and bad names instead of writing them", () => {
    expect(() => record("a.nan", NaN)).toThrow('record("a.nan"): value is NaN');
    expect(() => record("a.inf", Infinity)).toThrow("only finite numbers");
    expect(() => record("nodot", 1)).toThrow('name must look like "topic.metric_name"');
    expect(readMetrics()).toEqual({});
  });

  it("does not overwrite a corrupt metrics file", () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "metrics.json"), "{oops");
    expect(() => record("a.x", 1)).toThrow(/metrics\.json is not valid JSON .*: fix or delete it/);
    expect(readFileSync(join(dir, "metrics.json"), "utf8")).toBe("{oops");
  });
});

describe("metric units", () => {
  it("reads the unit from the name's ending", () => {
    expect(metricUnit("text.shakespeare_val_loss")).toBe("nats (cross-entropy)");
    expect(metricUnit("parallel.loss_max_diff")).toBe("largest |difference|");
    expect(metricUnit("lstm.gap_gru_accuracy_T50")).toBe("fraction correct");
    expect(metricUnit("perf.lstm_speedup")).toBe("× (ratio of times)");
    expect(metricUnit("a.something_else")).toBe("");
  });

  it("knows the unit of every figure the notebooks record", () => {
    const dir = join(projectRoot(), "notebooks");
    const missing: string[] = [];
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".ipynb"))) {
      const nb = JSON.parse(readFileSync(join(dir, f), "utf8"));
      for (const c of nb.cells) {
        if (c.cell_type !== "code") continue;
        const src = Array.isArray(c.source) ? c.source.join("") : c.source;
        for (const m of src.matchAll(/record\(\s*(?:"([^"]+)"|`([^`]+)`)/g)) {
          // a template name: its interpolations stand for a word, e.g. `lstm.gap_${name}_T${T}`
          const raw = m[1] ?? m[2];
          const name = raw.replace(/\$\{[^}]*\}/g, "x").replace(/[^\w.-]/g, "");
          if (metricUnit(name) === "") missing.push(`${f}: ${raw}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
