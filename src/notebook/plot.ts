/**
 * plotly charts in notebooks and reports.
 *
 * `plot(figure)` makes ONE output with three MIME types: text/html (a div holding a placeholder
 * text, plus a script that draws once `window.Plotly` exists), application/vnd.plotly.v1+json
 * (JupyterLab's and VS Code's plotly renderers) and text/plain. plotly.js itself is embedded
 * once per notebook by `setup()` (see {@link plotlyBundle}), not once per chart.
 */
import { randomBytes } from "crypto";
import { readFileSync } from "fs";
import { escapeHtml, MimeBundle, scriptJson, show } from "./display";

/** A plotly figure: traces, layout and config as plotly.js takes them. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** The text shown where scripts do not run (untrusted notebooks, plain viewers). */
export const PLOT_PLACEHOLDER =
  "Interactive plotly chart: it draws where JavaScript runs (a trusted notebook or the HTML report).";

function titleOf(fig: Figure): string {
  const t = fig.layout?.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string")
    return (t as { text: string }).text;
  return "untitled chart";
}

/**
 * The layout with whole-number ticks on an x axis whose points are all at a few whole numbers
 * (epochs, layers, workers): plotly would otherwise label 2 epochs 1, 1.2, 1.4, … 2. An axis
 * that sets its own ticks (dtick, tickvals, tickmode) or is not linear is left as it is. A log
 * axis gets whole labels (0.02, 0.05, 0.1, 0.2 …) instead of plotly's bare digits between
 * powers of ten (2, 5, 0.1, 2, 5, 1), unless it sets its own tickformat.
 */
export function withAxisDefaults(fig: Figure): Record<string, unknown> {
  const layout = { ...(fig.layout ?? {}) };
  const byAxis = new Map<string, number[]>();
  for (const t of fig.data as { x?: unknown; xaxis?: string; type?: string }[]) {
    if (!Array.isArray(t?.x) || (t.type !== undefined && t.type !== "scatter" && t.type !== "bar"))
      continue;
    const key = t.xaxis && t.xaxis !== "x" ? `xaxis${t.xaxis.slice(1)}` : "xaxis";
    const xs = byAxis.get(key) ?? [];
    for (const v of t.x) xs.push(typeof v === "number" ? v : NaN);
    byAxis.set(key, xs);
  }
  for (const [key, xs] of byAxis) {
    const axis = { ...((layout[key] as Record<string, unknown> | undefined) ?? {}) };
    const own = ["dtick", "tickvals", "tickmode"].some((k) => axis[k] !== undefined);
    if (own || (axis.type !== undefined && axis.type !== "linear")) continue;
    if (xs.length === 0 || !xs.every(Number.isInteger)) continue;
    const span = Math.max(...xs) - Math.min(...xs);
    if (span > 20) continue; //                             plotly's own ticks are whole there
    layout[key] = { ...axis, dtick: 1 };
  }
  for (const [key, value] of Object.entries(layout)) {
    const axis = value as Record<string, unknown> | null;
    if (/^[xy]axis\d*$/.test(key) && axis?.type === "log" && axis.tickformat === undefined)
      layout[key] = { ...axis, tickformat: "~g" };
  }
  return layout;
}

/** The MIME bundle for a figure (exported for tests and for reports). */
export function plotBundle(fig: Figure, id: string = randomBytes(6).toString("hex")): MimeBundle {
  if (fig === null || typeof fig !== "object" || !Array.isArray(fig.data)) {
    throw new Error(
      "plot(figure): figure.data must be an array of plotly traces, e.g. { data: [{ x, y }] }",
    );
  }
  const config = { responsive: true, displaylogo: false, ...fig.config };
  const spec = { data: fig.data, layout: withAxisDefaults(fig), config };
  const divId = `rnnwb-plot-${id}`;
  const height = typeof fig.layout?.height === "number" ? fig.layout.height : 450;
  const html =
    `<div id="${escapeHtml(divId)}" class="rnnwb-plot" style="width:100%;min-height:${height}px">` +
    `<p class="rnnwb-placeholder" style="color:#777;font-style:italic">${escapeHtml(PLOT_PLACEHOLDER)}</p></div>\n` +
    `<script>(function () {\n` +
    `  var fig = ${scriptJson(spec)};\n` +
    `  var tries = 0;\n` +
    `  function draw() {\n` +
    `    var el = document.getElementById(${scriptJson(divId)});\n` +
    `    if (!el) return;\n` +
    `    if (window.Plotly) { el.innerHTML = ""; window.Plotly.newPlot(el, fig.data, fig.layout, fig.config); }\n` +
    `    else if (tries++ < 200) setTimeout(draw, 50);\n` +
    `    else el.firstChild.textContent = "plotly.js is not loaded here: run rnn.setup() in the notebook's first cell.";\n` +
    `  }\n` +
    `  draw();\n` +
    `})();</script>`;
  const traces = fig.data.length;
  return {
    "text/html": html,
    "application/vnd.plotly.v1+json": spec,
    "text/plain": `[chart: ${titleOf(fig)}: ${traces} trace${traces === 1 ? "" : "s"}]`,
  };
}

/** Shows a plotly figure as one output. */
export function plot(fig: Figure): void {
  show(plotBundle(fig));
}

let bundleCache: string | undefined;

/**
 * A <script> element holding plotly.js (the official cartesian bundle: scatter, bar, heatmap,
 * histogram, box, contour), safe to embed in HTML. AMD loaders (classic Notebook's
 * require.js) are hidden while it loads, so it always sets `window.Plotly`.
 */
export function plotlyBundle(): string {
  if (bundleCache === undefined) {
    const src = readFileSync(require.resolve("plotly.js-cartesian-dist-min"), "utf8").replace(
      /<\/script/gi,
      "<\\/script",
    );
    bundleCache =
      `<script>if (!window.Plotly) { var __rnnwbDefine = window.define; window.define = undefined;\n` +
      src +
      `\nwindow.define = __rnnwbDefine; }</script>`;
  }
  return bundleCache;
}
