// Runs a notebook top to bottom in a fresh tslab kernel and writes the executed copy (nbformat 4).
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative, resolve, isAbsolute } from "node:path";
import { randomUUID } from "node:crypto";
import { Kernel } from "./kernel.mjs";

/** `path` relative to the working directory when inside it, else absolute. */
export function displayPath(path) {
  const rel = relative(process.cwd(), resolve(path));
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : resolve(path);
}

/** The source of a cell as one string (nbformat allows a string or a list of lines). */
export const sourceOf = (cell) =>
  Array.isArray(cell.source) ? cell.source.join("") : (cell.source ?? "");

/** Reads and checks a notebook file; a malformed one is a one-line error naming it. */
export function readNotebook(path) {
  let nb;
  try {
    nb = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not a readable notebook (${e.message.split("\n")[0]})`);
  }
  if (nb?.nbformat !== 4 || !Array.isArray(nb.cells))
    throw new Error(`${path}: not an nbformat 4 notebook (needs "nbformat": 4 and a "cells" list)`);
  return nb;
}

/** The first lines of a kernel error, without the stack frames. */
export function errorSummary(text) {
  const lines = text
    .split("\n")
    .filter((l) => !/^\s+at /.test(l) && l.trim() !== "" && l.trim() !== "^");
  const thrown = lines.find((l) => /^[A-Za-z]*(Error|Exception)\b[^:]*:/.test(l));
  if (thrown) return thrown.trim();
  return lines.slice(0, 6).join(" | ") || "(the kernel reported an error without text)";
}

/** Notebook files to run: all of `dir`, or those whose file name starts with one of `names`. */
export function selectNotebooks(dir, names = []) {
  const all = readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
    .sort();
  if (names.length === 0) return all.map((f) => join(dir, f));
  return names.map((n) => {
    const hits = all.filter((f) => f === n || f === `${n}.ipynb` || f.startsWith(n));
    if (hits.length !== 1)
      throw new Error(
        `notebook "${n}": ${hits.length === 0 ? "no match" : `ambiguous (${hits.join(", ")})`} in ${dir}; have ${all.join(", ")}`,
      );
    return join(dir, hits[0]);
  });
}

/** A cell's budget in the source notebook: `metadata["rnn-workbook"].full_seconds`, if any. */
function cellBudget(cell) {
  const b = cell.metadata?.["rnn-workbook"]?.full_seconds;
  return b === undefined ? {} : { full_seconds: b };
}

/**
 * The time limit of one cell. A long cell states in its metadata how long it took in full
 * mode on the reference machine (`"rnn-workbook": { "full_seconds": 420 }`); in full mode its
 * limit is three times that (a machine half as fast, with room to spare) when that exceeds
 * the runner's per-cell limit. Quick mode uses the per-cell limit.
 */
export function cellLimitS(cell, { quick, cellTimeoutS }) {
  const b = cell.metadata?.["rnn-workbook"]?.full_seconds;
  if (b === undefined) return cellTimeoutS;
  if (!(typeof b === "number" && b > 0))
    throw new Error(
      `cell ${cell.id ?? "?"}: metadata "rnn-workbook".full_seconds must be a positive number of seconds (got ${JSON.stringify(b)})`,
    );
  return quick ? cellTimeoutS : Math.max(cellTimeoutS, Math.ceil(3 * b));
}

/**
 * Executes `path` and writes the executed copy to `outDir/NAME.ipynb`, also on failure.
 * Resolves with { name, ok, seconds, outPath, failedCell?, error? }.
 */
export async function runNotebook(path, { outDir, quick = false, cellTimeoutS = 600, env = {} }) {
  const name = basename(path, ".ipynb");
  const nb = readNotebook(path);
  const started = Date.now();
  const kernel = await Kernel.start({
    cwd: dirname(path),
    // plotly.js goes into the report once (scripts/lib/reports.mjs), not into every notebook
    env: { RNN_PLOTLY: "report", ...env, RNN_QUICK: quick ? "1" : "0", RNN_NOTEBOOK: name },
  });
  const displays = new Map();
  let failure = null;
  try {
    for (let i = 0; i < nb.cells.length; i++) {
      const cell = nb.cells[i];
      if (cell.cell_type !== "code") continue;
      cell.outputs = [];
      cell.execution_count = null;
      const code = sourceOf(cell);
      if (code.trim() === "") continue;
      const limitS = cellLimitS(cell, { quick, cellTimeoutS });
      const cellStarted = Date.now();
      const r = await kernel.execute(code, { timeoutMs: limitS * 1000, displays });
      cell.outputs = r.outputs;
      cell.execution_count = r.executionCount;
      const ran = { seconds: Number(((Date.now() - cellStarted) / 1000).toFixed(2)), limitS };
      cell.metadata = { ...cell.metadata, "rnn-workbook": { ...cellBudget(cell), ...ran } };
      if (r.status !== "ok") {
        const why =
          r.status === "timeout"
            ? `timed out after ${limitS} s (raise it with --timeout${quick ? "" : ", or the cell's full_seconds"})`
            : r.status === "lost"
              ? r.lostText
              : r.error
                ? `${r.error.ename}: ${r.error.evalue.split("\n")[0]}`
                : errorSummary(r.errorText);
        failure = { cell: i, error: why };
        break;
      }
    }
    await kernel.settle(); // output sent after the last cell's reply
  } finally {
    await kernel.shutdown();
  }
  for (const cell of nb.cells) {
    cell.id ??= randomUUID().slice(0, 8);
    if (cell.cell_type === "code") {
      cell.outputs ??= [];
      cell.execution_count ??= null;
    }
  }
  nb.nbformat_minor = Math.max(nb.nbformat_minor ?? 0, 5);
  nb.metadata = {
    ...nb.metadata,
    kernelspec: {
      name: "rnn-workbook",
      display_name: "TypeScript (rnn-workbook)",
      language: "typescript",
    },
    language_info: {
      name: "typescript",
      file_extension: ".ts",
      mimetype: "text/typescript",
      version: "5.0.4",
    },
    "rnn-workbook": {
      quick,
      executed: new Date().toISOString(),
      seconds: (Date.now() - started) / 1000,
      ok: failure === null,
    },
  };
  mkdirSync(outDir, { recursive: true });
  const outPath = join(outDir, `${name}.ipynb`);
  writeFileSync(outPath, JSON.stringify(nb, null, 1) + "\n");
  const seconds = (Date.now() - started) / 1000;
  if (failure)
    return {
      name,
      ok: false,
      seconds,
      outPath,
      failedCell: failure.cell,
      error: `${displayPath(path)}: cell ${failure.cell} failed: ${failure.error}`,
    };
  return { name, ok: true, seconds, outPath };
}
