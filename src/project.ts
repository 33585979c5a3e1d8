/**
 * Where the project lives on disk, and the run mode (quick or full).
 *
 * The project root is found by walking up from this file to the package.json named
 * "rnn-workbook", so it works from `src/` (tests) and from `dist/` (notebooks).
 */
import { existsSync, readFileSync } from "fs";
import { dirname, join } from "path";

let cachedRoot: string | undefined;

/** Absolute path of the project root (the folder holding package.json, data/, reports/). */
export function projectRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if (
          JSON.parse(readFileSync(pkg, "utf8")).name === "rnn-workbook" &&
          existsSync(join(dir, "src"))
        ) {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // not ours: keep walking
      }
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`rnn-workbook: cannot find the project root above ${__dirname}`);
    dir = up;
  }
}

/** Folder for executed notebooks, HTML and metrics: `$RNN_REPORTS_DIR` or `<root>/reports`. */
export function reportsDir(): string {
  return process.env.RNN_REPORTS_DIR || join(projectRoot(), "reports");
}

/** Folder holding the datasets: `$RNN_DATA_DIR` or `<root>/data`. */
export function dataDir(): string {
  return process.env.RNN_DATA_DIR || join(projectRoot(), "data");
}

/**
 * Quick mode: `RNN_QUICK=1` (set by `npm run notebooks -- --quick` and by the tests).
 * Notebooks never read the flag themselves; they ask {@link sized} for their sizes.
 */
export function isQuick(): boolean {
  const v = (process.env.RNN_QUICK ?? "").trim().toLowerCase();
  if (v === "" || v === "0" || v === "false" || v === "no") return false;
  if (v === "1" || v === "true" || v === "yes") return true;
  throw new Error(`RNN_QUICK must be 1 or 0 (got "${process.env.RNN_QUICK}")`);
}

/** The quick-mode value when running quick, else the full one: `sized({ quick: 2, full: 40 })`. */
export function sized<T>({ quick, full }: { quick: T; full: T }): T {
  return isQuick() ? quick : full;
}
