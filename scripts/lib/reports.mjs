// Executed notebooks (reports/notebooks/*.ipynb) → one self-contained HTML file each, plus
// reports/index.html with each notebook's headline figures (the outputs of rnn.record()).
import { spawnSync } from "node:child_process";
import {
  mkdtempSync,
  readFileSync,
  writeFileSync,
  readdirSync,
  rmSync,
  existsSync,
  statSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, dirname, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { extractMath, insertMath } from "./math.mjs";
import { sourceOf } from "./runner.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const TEMPLATE_DIR = join(here, "..", "report-template");
export const MAX_REPORT_BYTES = 8 * 1024 * 1024;
/** What every report (and the index) of a quick-mode run says first. */
export const QUICK_BANNER_TEXT =
  "Quick mode: sizes reduced, results not meaningful. Run `npm run notebooks` for the real ones.";
export const QUICK_BANNER = `<div class="rnnwb-quick-banner" role="note">${QUICK_BANNER_TEXT.replace(
  /`([^`]+)`/g,
  "<code>$1</code>",
)}</div>`;

/** The page with the quick-mode banner right after its <body> tag. */
export function withQuickBanner(html) {
  const at = /<body\b[^>]*>/i.exec(html);
  if (!at) throw new Error("a report without a <body> tag: cannot place the quick-mode banner");
  const end = at.index + at[0].length;
  return html.slice(0, end) + "\n" + QUICK_BANNER + html.slice(end);
}

/** The nbconvert command (`$RNN_NBCONVERT` or `jupyter nbconvert`); throws a one-line hint when missing. */
export function nbconvertCommand(env = process.env) {
  const cmd = (env.RNN_NBCONVERT ?? "jupyter nbconvert").split(" ").filter(Boolean);
  const r = spawnSync(cmd[0], [...cmd.slice(1), "--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      `nbconvert is not installed ("${cmd.join(" ")}" failed): apt-get install jupyter-nbconvert (Debian) or pip install nbconvert`,
    );
  }
  return { cmd, version: r.stdout.trim() };
}

/** Resources the page would load from outside itself (scripts' own text is not looked at). */
export function externalRefs(html) {
  const markup = html
    .replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, "$1</script>")
    .replace(
      /(<style\b[^>]*>)([\s\S]*?)<\/style>/gi,
      (m, open, css) => `${open}${css.replace(/url\(\s*["']?data:[^)]*\)/g, "")}</style>`,
    );
  const refs = [];
  const patterns = [
    /<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)/gi,
    /<link\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)/gi,
    /<(?:img|iframe|embed|source|video|audio)\b[^>]*\bsrc\s*=\s*["']?(?!data:)([^"'\s>]+)/gi,
    /@import\s+(?:url\()?["']?([^"')\s;]+)/gi,
    /url\(\s*["']?((?:https?|file):[^"')\s]+)/gi,
    /["'(](file:\/\/[^"')\s]+)/gi,
  ];
  for (const re of patterns) for (const m of markup.matchAll(re)) refs.push(m[1]);
  return [...new Set(refs)];
}

/** Headline figures recorded in an executed notebook (display outputs carrying our metadata). */
export function recordedMetrics(nb) {
  const out = [];
  for (const cell of nb.cells)
    for (const o of cell.outputs ?? []) {
      const m = o.metadata?.["rnn-workbook"];
      if (m && typeof m.metric === "string") out.push({ name: m.metric, value: m.value });
    }
  return out;
}

function titleOf(nb, name) {
  for (const cell of nb.cells)
    if (cell.cell_type === "markdown") {
      const h = /^#\s+(.+)$/m.exec(sourceOf(cell));
      if (h) return h[1].trim();
    }
  return name;
}

// the library's escaper (src/notebook/display.ts, built into dist/): one implementation for
// notebook outputs and reports
const requireDist = createRequire(import.meta.url);
const { escapeHtml } = requireDist("../../dist/notebook/display.js");
const { metricUnit } = requireDist("../../dist/notebook/record.js");
const { plotlyBundle } = requireDist("../../dist/notebook/plot.js");
const { PLOTLY_BY_REPORT } = requireDist("../../dist/notebook/setup.js");

/**
 * A report whose notebook ran under the runner carries a marker instead of plotly.js: the
 * bundle goes into the page's head, once.
 */
export function withPlotly(html) {
  if (!html.includes(PLOTLY_BY_REPORT)) return html;
  const at = html.search(/<\/head>/i);
  if (at < 0) throw new Error("a report without a </head> tag: cannot embed plotly.js");
  return html.slice(0, at) + plotlyBundle() + "\n" + html.slice(at);
}
const esc = (s) => escapeHtml(String(s));

/**
 * nbconvert's HTML sanitiser strips an SVG output's elements (leaving only its text), so an
 * SVG output (a cell diagram) goes into the report as an <img> holding the SVG as a data URI:
 * drawn exactly, nothing in it runs, nothing loaded from outside.
 */
export function svgAsImage(output) {
  const svg = output.data?.["image/svg+xml"];
  if (svg === undefined) return output;
  const text = Array.isArray(svg) ? svg.join("") : String(svg);
  const alt = /aria-label="([^"]*)"/.exec(text)?.[1] ?? "diagram";
  const src = `data:image/svg+xml;base64,${Buffer.from(text, "utf8").toString("base64")}`;
  delete output.data["image/svg+xml"];
  output.data["text/html"] = `<img class="rnnwb-svg" src="${src}" alt="${alt}">`;
  return output;
}

/** Renders every executed notebook in `reportsDir/notebooks` to `reportsDir/NAME.html` and an index. */
export function renderReports(reportsDir, { env = process.env } = {}) {
  const nbDir = join(reportsDir, "notebooks");
  if (!existsSync(nbDir) || readdirSync(nbDir).filter((f) => f.endsWith(".ipynb")).length === 0) {
    throw new Error(
      `no executed notebooks in ${nbDir}: run \`npm run notebooks\` (or -- --quick) first`,
    );
  }
  const { cmd } = nbconvertCommand(env);
  const names = readdirSync(nbDir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => basename(f, ".ipynb"));
  const work = mkdtempSync(join(tmpdir(), "rnnwb-reports-"));
  try {
    const prepared = names.map((name) => {
      const nb = JSON.parse(readFileSync(join(nbDir, `${name}.ipynb`), "utf8"));
      const math = [];
      const copy = structuredClone(nb);
      for (const cell of copy.cells) {
        if (cell.cell_type === "markdown") cell.source = extractMath(sourceOf(cell), math).text;
        for (const o of cell.outputs ?? []) svgAsImage(o);
      }
      copy.metadata.title = titleOf(nb, name);
      writeFileSync(join(work, `${name}.ipynb`), JSON.stringify(copy));
      return { name, nb, math };
    });
    const args = [
      ...cmd.slice(1),
      "--to",
      "html",
      "--template",
      "rnnwb",
      `--TemplateExporter.extra_template_basedirs=${TEMPLATE_DIR}`,
      "--output-dir",
      work,
      ...names.map((n) => join(work, `${n}.ipynb`)),
    ];
    const r = spawnSync(cmd[0], args, { encoding: "utf8" });
    if (r.status !== 0)
      throw new Error(
        `nbconvert failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ")}`,
      );
    const reports = prepared.map(({ name, nb, math }) => {
      let html;
      try {
        html = insertMath(readFileSync(join(work, `${name}.html`), "utf8"), math);
      } catch (e) {
        throw new Error(`reports/${name}.html: ${e.message}`);
      }
      const refs = externalRefs(html);
      if (refs.length)
        throw new Error(
          `reports/${name}.html would load ${refs.slice(0, 3).join(", ")} from outside the file: reports must be self-contained`,
        );
      const meta = nb.metadata?.["rnn-workbook"] ?? {};
      html = withPlotly(html);
      if (meta.quick) html = withQuickBanner(html);
      const path = join(reportsDir, `${name}.html`);
      writeFileSync(path, html);
      const bytes = statSync(path).size;
      if (bytes > MAX_REPORT_BYTES)
        throw new Error(
          `reports/${name}.html is ${(bytes / 2 ** 20).toFixed(1)} MB, over the 8 MB limit: plot fewer points or embed less`,
        );
      return {
        name,
        title: titleOf(nb, name),
        bytes,
        metrics: recordedMetrics(nb),
        quick: meta.quick,
        seconds: meta.seconds,
        ok: meta.ok !== false,
      };
    });
    writeFileSync(join(reportsDir, "index.html"), indexHtml(reports));
    return reports;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function fmt(v) {
  return typeof v === "number" ? Number(v.toPrecision(4)).toString() : String(v);
}

/** The index page: one row per report with its mode, run time and headline figures. */
export function indexHtml(reports) {
  const rows = reports
    .map((r) => {
      const metrics = r.metrics.length
        ? r.metrics
            .map((m) => {
              const unit = typeof m.value === "boolean" ? "" : metricUnit(m.name);
              return `<code>${esc(m.name)}</code> = <b>${esc(fmt(m.value))}</b>${unit ? ` <small>${esc(unit)}</small>` : ""}`;
            })
            .join("<br>")
        : "<i>none recorded</i>";
      const status = r.ok ? "" : ' <b style="color:#b00">(failed: see report)</b>';
      return `<tr><td><a href="${esc(encodeURIComponent(r.name))}.html">${esc(r.title)}</a>${status}<br><small>${esc(r.name)}</small></td><td>${r.quick ? "quick" : "full"}</td><td>${typeof r.seconds === "number" ? r.seconds.toFixed(1) + " s" : ""}</td><td>${(r.bytes / 2 ** 20).toFixed(2)} MB</td><td>${metrics}</td></tr>`;
    })
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>rnn-workbook reports</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.4em .7em;text-align:left;vertical-align:top}th{background:#f4f4f4}.rnnwb-quick-banner{margin:0 0 1em;padding:.5em 1em;background:#fff3cd;color:#664d03;border:1px solid #e0c97a;font-weight:bold}</style>
</head><body>
${reports.some((r) => r.quick) ? QUICK_BANNER : ""}
<h1>rnn-workbook reports</h1>
<p>Each report is one self-contained HTML file: open it offline, anywhere. Figures below are the headline numbers each notebook recorded with <code>rnn.record()</code> when it ran.</p>
<table><thead><tr><th>notebook</th><th>mode</th><th>run time</th><th>size</th><th>headline figures</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
