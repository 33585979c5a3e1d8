// Checks the rendered reports in headless Chromium: charts drawn, nothing loaded from outside,
// no code or printed line cut off, and the quick-mode banner on exactly the reports (and the
// index) of notebooks executed in quick mode (their reports/notebooks/NAME.ipynb metadata).
// Usage: node scripts/check-reports.mjs [reports dir]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, dirname, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { checkReports } from "./lib/browser-check.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = process.argv[2] ?? process.env.RNN_REPORTS_DIR ?? join(root, "reports");
try {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".html"))
    .map((f) => join(dir, f));
  if (files.length === 0) throw new Error(`no reports in ${dir}: run npm run reports first`);
  // the mode each report was executed in; the index is quick when any report is
  const quickOf = (file) => {
    const nb = join(dir, "notebooks", basename(file, ".html") + ".ipynb");
    return existsSync(nb)
      ? JSON.parse(readFileSync(nb, "utf8")).metadata?.["rnn-workbook"]?.quick === true
      : undefined;
  };
  const anyQuick = files.some((f) => quickOf(f) === true);
  let bad = 0;
  for (const r of await checkReports(files)) {
    const problems = [];
    const quick = basename(r.file) === "index.html" ? anyQuick : quickOf(r.file);
    if (quick !== undefined && r.banners > 0 !== quick)
      problems.push(
        quick
          ? "no quick-mode banner on a quick-mode report"
          : "a quick-mode banner on a full-mode report",
      );
    if (r.clipped.length)
      problems.push(
        `${r.clipped.length} of ${r.codeBlocks} code/text blocks cut off (first: ${JSON.stringify(r.clipped[0])})`,
      );
    if (r.drawn < r.charts)
      problems.push(`${r.charts - r.drawn} of ${r.charts} charts did not draw`);
    if (r.diagramsDrawn < r.diagrams)
      problems.push(`${r.diagrams - r.diagramsDrawn} of ${r.diagrams} diagrams did not draw`);
    if (r.blocked.length) problems.push(`tried to load ${r.blocked.slice(0, 3).join(", ")}`);
    if (r.errors.length) problems.push(`script errors: ${r.errors.slice(0, 3).join(" | ")}`);
    console.log(
      `${problems.length ? "FAIL" : "ok  "} ${basename(r.file).padEnd(32)} charts ${r.drawn}/${r.charts}, diagrams ${r.diagramsDrawn}/${r.diagrams}, equations ${r.math}, code blocks ${r.codeBlocks}${quick ? ", quick" : ""}${problems.length ? ": " + problems.join("; ") : ""}`,
    );
    if (problems.length) bad += 1;
  }
  process.exit(bad ? 1 : 0);
} catch (e) {
  console.error(`check-reports: ${e.message}`);
  process.exit(1);
}
