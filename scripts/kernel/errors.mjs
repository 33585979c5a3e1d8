// Turning what tslab's executor reports (a thrown value, or TypeScript diagnostics) into a
// Jupyter error: ename, evalue and a traceback that starts at the user's cell and line.
import { inspect } from "node:util";

/** The script name given to cell `n`'s compiled code (a //# sourceURL comment). */
export const cellScriptName = (n) => `rnnwb-cell-${n}.js`;
const CELL_RE = /rnnwb-cell-(\d+)\.js/;

/** A line without whitespace, tslab's rewrites of names (exports.x, the last expression) and `;`. */
const norm = (s) =>
  s
    .replace(/\s+/g, "")
    .replace(/^exports\.tsLastExpr=/, "")
    .replace(/\(0,exports\.([\w$]+)\)/g, "$1")
    .replace(/\bexports\.([\w$]+)/g, "$1")
    .replace(/;+$/, "");

/**
 * Maps each line of the JavaScript tslab compiled from a cell back to a line of the cell's
 * TypeScript (0-based indices; -1 when unknown). tslab's compiler emits no source map, so the
 * lines are aligned by content (longest common subsequence of whitespace-free lines); a line
 * changed by the compiler (types stripped) takes the free line between its aligned neighbours.
 */
export function alignLines(js, ts) {
  const a = js.split("\n").map(norm);
  const b = ts.split("\n").map(norm);
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) return a.map(() => -1); // a huge cell: no mapping rather than a stall
  const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      L[i][j] =
        a[i] !== "" && a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const map = new Array(n).fill(-1);
  for (let i = 0, j = 0; i < n && j < m;) {
    if (a[i] !== "" && a[i] === b[j]) map[i++] = j++;
    else if (L[i + 1][j] >= L[i][j + 1]) i++;
    else j++;
  }
  // unaligned lines between two aligned ones: the TypeScript lines left between them, in order
  let prev = -1;
  for (let i = 0; i < n; i++) {
    if (map[i] >= 0) {
      prev = map[i];
      continue;
    }
    let k = i + 1;
    while (k < n && map[k] < 0) k++;
    const next = k < n ? map[k] : m;
    const free = next - prev - 1;
    if (free > 0 && free === k - i) for (let t = 0; t < free; t++) map[i + t] = prev + 1 + t;
    else if (free > 0 && a[i] !== "") map[i] = prev + 1;
    i = k - 1;
  }
  return map;
}

/** What the kernel knows of each executed cell: its TypeScript and compiled line map. */
export class CellSources {
  #cells = new Map(); // n -> { ts, map }

  /** Cell run `id` (its sourceURL) shown as In[label]. */
  add(id, ts, js, label = id) {
    this.#cells.set(id, { ts, label, map: alignLines(js, ts), jsLines: js.split("\n").length });
  }

  /** Whether compiled line `jsLine` is past the cell's own code (tslab's wrapper call). */
  isWrapper(id, jsLine) {
    const c = this.#cells.get(id);
    return c !== undefined && jsLine > c.jsLines;
  }

  label(id) {
    return this.#cells.get(id)?.label ?? id;
  }

  /** 1-based TypeScript line of 1-based compiled line `jsLine` of cell `n`, or null. */
  tsLine(n, jsLine) {
    const c = this.#cells.get(n);
    const t = c?.map[jsLine - 1];
    return t === undefined || t < 0 ? null : t + 1;
  }

  source(n) {
    return this.#cells.get(n)?.ts ?? null;
  }
}

/** Stack frames that belong to the kernel, node or the vm, not to the user. */
const KERNEL_FRAME =
  /\(node:|at node:|tslab[\\/]dist[\\/]|scripts[\\/]kernel[\\/]|\(<anonymous>\)|at new Promise \(<anonymous>\)|at process\.processTicksAndRejections|at Script\.runInThisContext|at Object\.runInThisContext/;

/** "----> 2 code" with the lines around it, IPython style; a caret under column `col`. */
function excerpt(src, line, col = 0) {
  const lines = src.split("\n");
  const out = [];
  const width = String(Math.min(lines.length, line + 1)).length;
  for (let k = Math.max(1, line - 1); k <= Math.min(lines.length, line + 1); k++) {
    const mark = k === line ? "---->" : "     ";
    out.push(`${mark} ${String(k).padStart(width)} ${lines[k - 1]}`);
    if (k === line && col > 0) out.push(" ".repeat(7 + width + col - 1) + "^");
  }
  return out.join("\n");
}

/** One frame line rewritten to name the cell, or null to drop it. */
function userFrame(frame, cells) {
  if (KERNEL_FRAME.test(frame)) return null;
  const m = frame.match(/^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/);
  if (!m) return frame.trim() === "" ? null : frame.trimEnd();
  const [, fn, file, jsLine] = m;
  const cell = file.match(CELL_RE);
  if (!cell) return frame.trimEnd();
  const n = Number(cell[1]);
  if (cells.isWrapper(n, Number(jsLine))) return null;
  const line = cells.tsLine(n, Number(jsLine));
  const where = `Cell In[${cells.label(n)}]${line ? `, line ${line}` : ""}`;
  const name = fn && !/^(Proxy\.|Object\.)?<anonymous>$/.test(fn) ? fn.replace(/^Proxy\./, "") : "";
  return { n, line, text: name ? `    at ${name} (${where})` : `    at ${where}` };
}

/**
 * A thrown value as a Jupyter error. `cells` maps compiled cells back to their sources; the
 * traceback's first entry is the innermost frame in a cell (with an excerpt of that cell),
 * then the remaining user frames, then `ename: evalue`.
 */
export function thrownToError(value, cells) {
  if (!(value instanceof Error)) {
    const evalue = typeof value === "string" ? value : inspect(value);
    return { ename: "Uncaught", evalue, traceback: [`Uncaught ${inspect(value)}`] };
  }
  const ename = value.name || value.constructor?.name || "Error";
  const evalue = value.message ?? "";
  const stack = String(value.stack ?? "");
  const atLines = stack.split("\n").filter((l) => /^\s+at /.test(l));
  const frames = atLines.map((f) => userFrame(f, cells)).filter((f) => f !== null);
  const first = frames.find((f) => typeof f === "object");
  const traceback = [];
  if (first) {
    const src = cells.source(first.n);
    traceback.push(
      `Cell In[${cells.label(first.n)}]${first.line ? `, line ${first.line}` : ""}` +
        (src !== null && first.line ? `:\n${excerpt(src, first.line)}` : ""),
    );
  }
  const rest = frames.map((f) => (typeof f === "object" ? f.text : f));
  if (rest.length > 0) traceback.push(rest.join("\n"));
  traceback.push(`${ename}: ${evalue}`);
  return { ename, evalue, traceback };
}

/**
 * TypeScript diagnostics of cell `n` as a Jupyter error: ename "TSError", evalue one line per
 * diagnostic ("line:col - message", prefixed with the file for another file).
 */
export function diagnosticsToError(diags, n, src) {
  const lines = diags.map(
    (d) => `${d.file ? d.file + " " : ""}${d.line}:${d.col} - ${String(d.message)}`,
  );
  const traceback = diags.map((d) =>
    d.file
      ? `${d.file}, line ${d.line}, col ${d.col}: ${d.message}`
      : `Cell In[${n}], line ${d.line}, col ${d.col}: ${d.message}\n${excerpt(src, d.line, d.col)}`,
  );
  traceback.push(`TSError: ${lines.join("\n")}`);
  return { ename: "TSError", evalue: lines.join("\n"), traceback };
}

/** A history search pattern (glob: `*`, `?`, `[...]`) as an anchored RegExp. */
export function globToRegExp(pattern) {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
