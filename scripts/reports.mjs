// npm run reports: reports/notebooks/*.ipynb → reports/NAME.html + reports/index.html (needs nbconvert).
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { renderReports } from "./lib/reports.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const reportsDir = process.env.RNN_REPORTS_DIR ?? join(root, "reports");
try {
  const t0 = Date.now();
  for (const r of renderReports(reportsDir)) {
    console.log(
      `${r.name.padEnd(28)} ${(r.bytes / 2 ** 20).toFixed(2).padStart(6)} MB  ${r.metrics.length} headline figure(s)`,
    );
  }
  console.log(
    `wrote ${join(reportsDir, "index.html")} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
} catch (e) {
  console.error(`reports: ${e.message}`);
  process.exit(1);
}
