/**
 * Tables: a danfo DataFrame (or plain rows) shown as an HTML table with a text fallback.
 * `df.plot` and a bare `df` do not display usefully in tslab; this does.
 */
import { escapeHtml, MimeBundle, show } from "./display";

/** What the table helper needs from a danfo DataFrame. */
export interface FrameLike {
  columns: string[];
  values: unknown;
  index: (string | number)[];
}

export type Row = Record<string, unknown>;

export interface TableOptions {
  /** Rows shown before the middle is elided (head and tail halves). */
  maxRows?: number;
  /** Significant digits for non-integer numbers. */
  digits?: number;
  /** Caption above the table. */
  caption?: string;
}

function isFrame(x: unknown): x is FrameLike {
  return (
    x !== null &&
    typeof x === "object" &&
    Array.isArray((x as FrameLike).columns) &&
    Array.isArray((x as FrameLike).index)
  );
}

function cell(v: unknown, digits: number): string {
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    if (!Number.isFinite(v)) return String(v);
    return Number(v.toPrecision(digits)).toString();
  }
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** Header, index and body cells as strings, with the middle rows elided past `maxRows`. */
export function tableCells(
  data: FrameLike | Row[],
  { maxRows = 20, digits = 4 }: TableOptions = {},
) {
  let columns: string[];
  let index: string[] | null; //                   null: no index worth showing (rows 0, 1, 2, …)
  let rows: unknown[][];
  if (isFrame(data)) {
    columns = data.columns.map(String);
    index = data.index.map(String);
    if (index.every((v, i) => v === String(i))) index = null; //   danfo's default: meaningless
    const v = data.values as unknown[];
    rows = v.length > 0 && !Array.isArray(v[0]) ? v.map((x) => [x]) : (v as unknown[][]);
  } else if (Array.isArray(data)) {
    columns = [...new Set(data.flatMap((r) => Object.keys(r)))];
    index = null;
    rows = data.map((r) => columns.map((c) => r[c]));
  } else {
    throw new Error("table(data): expected a danfo DataFrame or an array of row objects");
  }
  const n = rows.length;
  let keep = rows.map((_, i) => i);
  let elided = 0;
  if (n > maxRows) {
    const head = Math.ceil(maxRows / 2);
    const tail = maxRows - head;
    keep = [...keep.slice(0, head), ...keep.slice(n - tail)];
    elided = n - maxRows;
  }
  return {
    columns,
    indexed: index !== null,
    rows: keep.map((i) => ({
      index: index?.[i] ?? "",
      cells: rows[i].map((v) => cell(v, digits)),
    })),
    elidedAfter: elided > 0 ? Math.ceil(maxRows / 2) : -1,
    elided,
    total: n,
  };
}

/** The MIME bundle for a table. */
export function tableBundle(data: FrameLike | Row[], options: TableOptions = {}): MimeBundle {
  const t = tableCells(data, options);
  const cap = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  const ix = t.indexed;
  const head = `<tr>${ix ? "<th></th>" : ""}${t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>`;
  const body: string[] = [];
  const textRows: string[][] = [ix ? ["", ...t.columns] : [...t.columns]];
  const width = t.columns.length + (ix ? 1 : 0);
  t.rows.forEach((r, k) => {
    if (k === t.elidedAfter) {
      body.push(`<tr><td colspan="${width}">… ${t.elided} more rows …</td></tr>`);
      textRows.push(Array.from({ length: width }, () => "…"));
    }
    const cells = r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("");
    body.push(`<tr>${ix ? `<th>${escapeHtml(r.index)}</th>` : ""}${cells}</tr>`);
    textRows.push(ix ? [r.index, ...r.cells] : [...r.cells]);
  });
  const widths = textRows[0].map((_, j) => Math.max(...textRows.map((row) => row[j].length)));
  const text = textRows
    .map((row) => row.map((c, j) => c.padStart(widths[j])).join("  "))
    .join("\n");
  // a footer only where rows were left out: how many there are in all
  const footer = t.elided > 0 ? `${t.total} rows, ${t.elided} not shown` : "";
  return {
    "text/html":
      `<table class="dataframe rnnwb-table" border="1">${cap}<thead>${head}</thead><tbody>${body.join("")}</tbody></table>` +
      (footer ? `<p style="color:#777;font-size:smaller">${footer}</p>` : ""),
    "text/plain":
      (options.caption ? options.caption + "\n" : "") + text + (footer ? "\n" + footer : ""),
  };
}

/** Shows a danfo DataFrame or an array of row objects as a table. */
export function table(data: FrameLike | Row[], options: TableOptions = {}): void {
  show(tableBundle(data, options));
}
