/**
 * Headline figures: `record("electricity.stateful_rmse", 0.041)` merges the value into
 * `reports/metrics.json` and shows it in the notebook with metadata the report index reads.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "fs";
import { join } from "path";
import { reportsDir } from "../project";
import { escapeHtml, show } from "./display";

export type MetricValue = number | boolean | string;

const NAME = /^[A-Za-z][\w-]*(\.[\w-]+)+$/;

/**
 * The unit of a headline figure, read from its name's ending (first match wins), for the
 * report index and the recorded line: `text.shakespeare_val_loss` → "nats (cross-entropy)".
 */
const UNITS: [RegExp, string][] = [
  [/\.quick$/, "true = quick mode"],
  [/(max_diff|max_abs_diff)$/, "largest |difference|"],
  [/_loss(_\w+)?$/, "nats (cross-entropy)"],
  [/(_acc|accuracy)(_\w+|\.\w+)?$/, "fraction correct"],
  [/_f1$/, "F1 score, 0–1"],
  [/_rmse$/, "RMSE of the scaled load"],
  [/_(per|wer)(_\w+)?$/, "error rate, 0–1"],
  [/[._]val(_\w+)?$/, "nats (cross-entropy)"],
  [/speedup(_\w+)?$/, "× (ratio of times)"],
  [/_gflops$/, "GFLOP/s"],
  [/_chars_per_s$/, "characters/s"],
  [/_seconds$/, "s"],
  [/_minutes$/, "min"],
  [/_kw$/, "kW"],
  [/(rel_error_vs_autodiff|gradcheck_worst)$/, "relative error"],
  [/grad_ratio\w*$/, "ratio ‖∂L/∂h₁‖ / ‖∂L/∂h_T‖"],
  [/(_spread|padding_\w+)$/, "fraction"],
  [/_disagree$/, "words"],
  [/\.weeks$/, "weeks"],
  [/_model$/, "name"],
];

/** The unit of a recorded figure, or "" when its name says none. */
export function metricUnit(name: string): string {
  for (const [re, unit] of UNITS) if (re.test(name)) return unit;
  return "";
}

/** Path of the metrics file. */
export function metricsPath(): string {
  return join(reportsDir(), "metrics.json");
}

/** Reads all recorded metrics (empty when none yet). */
export function readMetrics(): Record<string, MetricValue> {
  const path = metricsPath();
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message}): fix or delete it`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`${path} must hold a JSON object of metric names to values: fix or delete it`);
  }
  return parsed as Record<string, MetricValue>;
}

/** Records a headline figure; returns the value. Names are `topic.name` (e.g. `text.quick`). */
export function record<T extends MetricValue>(name: string, value: T): T {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new Error(
      `record: name must look like "topic.metric_name" (got ${JSON.stringify(name)})`,
    );
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new Error(`record("${name}"): value is ${value}; only finite numbers can be recorded`);
  }
  if (!["number", "boolean", "string"].includes(typeof value)) {
    throw new Error(
      `record("${name}"): value must be a number, boolean or string (got ${typeof value})`,
    );
  }
  const metrics = readMetrics();
  metrics[name] = value;
  const sorted = Object.fromEntries(
    Object.keys(metrics)
      .sort()
      .map((k) => [k, metrics[k]]),
  );
  mkdirSync(reportsDir(), { recursive: true });
  const path = metricsPath();
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(sorted, null, 2) + "\n");
  renameSync(tmp, path);
  const unit = metricUnit(name);
  const shown =
    (typeof value === "number" ? Number(value.toPrecision(5)).toString() : String(value)) +
    (unit && typeof value !== "boolean" ? ` ${unit}` : "");
  show(
    {
      "text/plain": `recorded ${name} = ${shown}`,
      "text/html": `<p class="rnnwb-metric">recorded <code>${escapeHtml(name)}</code> = <b>${escapeHtml(shown)}</b></p>`,
    },
    { "rnn-workbook": { metric: name, value } },
  );
  return value;
}
