// Checks the rendered reports in headless Chromium: charts drawn, nothing loaded from outside.
// Usage: node scripts/check-reports.mjs [reports dir]
import { readdirSync } from "node:fs";
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
  let bad = 0;
  for (const r of await checkReports(files)) {
    const problems = [];
    if (r.drawn < r.charts)
      problems.push(`${r.charts - r.drawn} of ${r.charts} charts did not draw`);
    if (r.blocked.length) problems.push(`tried to load ${r.blocked.slice(0, 3).join(", ")}`);
    if (r.errors.length) problems.push(`script errors: ${r.errors.slice(0, 3).join(" | ")}`);
    console.log(
      `${problems.length ? "FAIL" : "ok  "} ${basename(r.file).padEnd(32)} charts ${r.drawn}/${r.charts}, equations ${r.math}${problems.length ? ": " + problems.join("; ") : ""}`,
    );
    if (problems.length) bad += 1;
  }
  process.exit(bad ? 1 : 0);
} catch (e) {
  console.error(`check-reports: ${e.message}`);
  process.exit(1);
}
