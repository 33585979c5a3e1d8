// Full-mode time budgets, measured: reads notebooks executed in full mode (the runner records
// each cell's run time in its metadata) and writes into the source notebooks
//   - each long cell's `"rnn-workbook": { "full_seconds": S }` (cells of 60 s or more), which
//     the runner turns into that cell's time limit (three times S in full mode);
//   - the notebook's `"rnn-workbook": { "full_seconds": S, "measured": DATE }`;
// then regenerates the README's table of full-mode times from every notebook's metadata.
// Usage: node scripts/budgets.mjs [executed-notebooks dir]   (default reports/notebooks)
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { join, dirname, basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const LONG_CELL_S = 60;
export const START = "<!-- full-mode-times:start (scripts/budgets.mjs writes this table) -->";
export const END = "<!-- full-mode-times:end -->";

const key = "rnn-workbook";

/** Copies the measured times of an executed full-mode notebook into its source notebook. */
export function applyBudgets(source, executed) {
  const meta = executed.metadata?.[key];
  if (!meta || meta.quick !== false || meta.ok !== true) return false;
  const ran = new Map(executed.cells.map((c) => [c.id, c.metadata?.[key]?.seconds]));
  for (const cell of source.cells) {
    if (cell.cell_type !== "code") continue;
    const s = ran.get(cell.id);
    if (typeof s !== "number") continue;
    const own = { ...(cell.metadata?.[key] ?? {}) };
    if (s >= LONG_CELL_S) own.full_seconds = Math.ceil(s);
    else delete own.full_seconds;
    cell.metadata = { ...cell.metadata };
    if (Object.keys(own).length) cell.metadata[key] = own;
    else delete cell.metadata[key];
  }
  source.metadata = {
    ...source.metadata,
    [key]: { full_seconds: Math.ceil(meta.seconds), measured: meta.executed.slice(0, 10) },
  };
  return true;
}

const minutes = (s) => `${(s / 60).toFixed(1)} min`;

/** The README table: one row per notebook, from the source notebooks' metadata. */
export function budgetTable(notebooks) {
  const rows = notebooks.map(({ name, nb }) => {
    const m = nb.metadata?.[key];
    const long = nb.cells
      .filter((c) => c.metadata?.[key]?.full_seconds)
      .map((c) => minutes(c.metadata[key].full_seconds));
    const time = m?.full_seconds ? `${minutes(m.full_seconds)} (${m.measured})` : "not measured";
    const limits = long.length ? `${long.length} (${long.join(", ")})` : "none";
    return `| \`${name}\` | ${time} | ${limits} |`;
  });
  return [
    "| notebook | full mode, measured on the 2-core reference machine | cells with their own limit (their measured time) |",
    "| --- | --- | --- |",
    ...rows,
  ].join("\n");
}

function main() {
  const dir = process.argv[2] ?? join(root, "reports", "notebooks");
  const nbDir = join(root, "notebooks");
  const names = readdirSync(nbDir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => basename(f, ".ipynb"));
  const notebooks = names.map((name) => {
    const path = join(nbDir, `${name}.ipynb`);
    const nb = JSON.parse(readFileSync(path, "utf8"));
    const ex = join(dir, `${name}.ipynb`);
    if (existsSync(ex) && applyBudgets(nb, JSON.parse(readFileSync(ex, "utf8")))) {
      writeFileSync(path, JSON.stringify(nb, null, 1) + "\n");
      console.log(`${name}: ${minutes(nb.metadata[key].full_seconds)} in full mode`);
    }
    return { name, nb };
  });
  const readme = join(root, "README.md");
  const text = readFileSync(readme, "utf8");
  const a = text.indexOf(START),
    b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} section`);
  writeFileSync(
    readme,
    text.slice(0, a + START.length) + "\n" + budgetTable(notebooks) + "\n" + text.slice(b),
  );
  const fmt = spawnSync(join(root, "node_modules", ".bin", "prettier"), ["--write", readme], {
    encoding: "utf8",
  });
  if (fmt.status !== 0) throw new Error(`prettier failed on README.md: ${fmt.stderr.trim()}`);
  console.log("README.md: full-mode table updated");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (e) {
    console.error(`budgets: ${e.message}`);
    process.exit(1);
  }
}
