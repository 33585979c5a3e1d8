// Typed numbers in the notebooks' prose. A number a reader takes as a result (0.0633, 33.6 ms,
// 43 characters, ~7 minutes) must be computed in the page (a cell's output: rnn.showMarkdown
// with the value interpolated) or cited, not typed into a markdown cell. This scans every
// markdown cell and fails on a numeral that is none of:
//   - inside inline code, a code block or TeX ($…$, $$…$$): names, shapes, equations;
//   - a year (1900–2099, as in "Cho et al. 2014") or a chapter/notebook number ("chapter 07");
//   - a link's target;
//   - a small integer (0–10): counts, layers, indices;
//   - a number the page's own code sets (it appears as a literal in one of its code cells, or
//     as a fraction there for a percentage: "the first 90%" beside `0.9`): a size or a setting
//     the reader can see, not a result (results are computed, so never literals);
//   - a time of day (00:15), an arXiv id, a version or licence (Apache-2.0), a heading's
//     chapter number;
//   - a definition in scripts/number-allowlist.json (its "definitions": sizes the chapters set,
//     like T = 50 or H = 128, written as the text they appear in);
//   - one of the typed numbers found when this check was added (its "baseline", notebook by
//     notebook: the teaching pass of issue 19 removes them; a baseline entry no longer found
//     is reported, so the list only shrinks).
// Usage: node scripts/check-numbers.mjs [--update-baseline]
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname, basename } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const listPath = join(root, "scripts", "number-allowlist.json");

/** The prose of a markdown cell, with code, TeX and link targets blanked out. */
export function prose(md) {
  return md
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/`[^`]*`/g, " ")
    .replace(/\$\$[\s\S]*?\$\$/g, " ")
    .replace(/\$[^$]*\$/g, " ")
    .replace(/\]\([^)]*\)/g, "]")
    .replace(/^#+\s*\d+/gm, "#") //                                   "# 11 · …": the chapter
    .replace(/arXiv:\S+/gi, " ")
    .replace(/\b\d{1,2}:\d\d(?:\s?[–-]\s?\d{1,2}:\d\d)?/g, " ") //                times of day
    .replace(/\b(?:Apache|GPL|LGPL|MPL|CC[- ]BY(?:-SA)?|v)-?\d+(?:\.\d+)*/g, " ") //  licences
    .replace(/<[^>]+>/g, " ");
}

/** Typed numbers in a markdown text: [{ number, context }]. */
export function typedNumbers(md, definitions = [], literals = new Set()) {
  let text = prose(md);
  for (const d of definitions) text = text.split(d).join(" ");
  const out = [];
  const re = /(?<![\w.])[~≈]?\d+(?:[.,]\d+)*(?:\s?[–-]\s?\d+(?:[.,]\d+)*)?%?(?![\w])/g;
  for (const m of text.matchAll(re)) {
    const raw = m[0];
    const core = raw.replace(/^[~≈]/, "").replace(/%$/, "");
    const before = text.slice(Math.max(0, m.index - 12), m.index).toLowerCase();
    if (/^(19|20)\d\d([–-](19|20)?\d\d)?$/.test(core)) continue; //                a year
    if (/(chapter|chapters|notebook|notebooks|ch\.|§)\s*$/.test(before)) continue;
    if (/^\d+$/.test(core) && Number(core) <= 10 && raw === core) continue; //  not ~7, 5%
    const values = core.split(/\s?[–-]\s?/).map((v) => Number(v.replace(/,/g, "")));
    const set = (v) =>
      literals.has(v) || (raw.endsWith("%") && literals.has(Number((v / 100).toPrecision(6))));
    if (values.every(set)) continue; //                        a size or setting the code shows
    const context = text
      .slice(Math.max(0, m.index - 30), m.index + raw.length + 30)
      .replace(/\s+/g, " ")
      .trim();
    out.push({ number: raw, context });
  }
  return out;
}

/** The number literals of a notebook's code cells. */
export function codeLiterals(nb) {
  const out = new Set();
  for (const c of nb.cells) {
    if (c.cell_type !== "code") continue;
    const src = Array.isArray(c.source) ? c.source.join("") : c.source;
    for (const m of src.matchAll(/(?<![\w.])\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?/gi))
      out.add(Number(m[0].replace(/_/g, "")));
  }
  return out;
}

function scan(list) {
  const dir = join(root, "notebooks");
  const found = {};
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith(".ipynb"))
    .sort()) {
    const name = basename(f, ".ipynb");
    const nb = JSON.parse(readFileSync(join(dir, f), "utf8"));
    const defs = [...(list.definitions?.["*"] ?? []), ...(list.definitions?.[name] ?? [])];
    const literals = codeLiterals(nb);
    found[name] = nb.cells
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.cell_type === "markdown")
      .flatMap(({ c, i }) => {
        const src = Array.isArray(c.source) ? c.source.join("") : c.source;
        return typedNumbers(src, defs, literals).map((n) => ({ cell: i, ...n }));
      });
  }
  return found;
}

/** The check itself (run as a script). */
function main() {
  const list = JSON.parse(readFileSync(listPath, "utf8"));
  const key = (n) => `${n.number} | ${n.context}`;
  const found = scan(list);
  if (process.argv.includes("--update-baseline")) {
    list.baseline = Object.fromEntries(
      Object.entries(found)
        .filter(([, ns]) => ns.length)
        .map(([name, ns]) => [name, ns.map(key)]),
    );
    writeFileSync(listPath, JSON.stringify(list, null, 2) + "\n");
    console.log(`baseline: ${Object.values(list.baseline).flat().length} typed numbers`);
    process.exit(0);
  }
  let bad = 0;
  let known = 0;
  for (const [name, ns] of Object.entries(found)) {
    const base = new Set(list.baseline?.[name] ?? []);
    for (const n of ns) {
      if (base.has(key(n))) {
        known += 1;
        base.delete(key(n));
        continue;
      }
      bad += 1;
      console.log(
        `${name} cell ${n.cell}: typed number ${JSON.stringify(n.number)} in "…${n.context}…": compute it in the page (rnn.showMarkdown), cite it, or add the definition to scripts/number-allowlist.json`,
      );
    }
    for (const gone of base)
      console.log(
        `${name}: baseline entry no longer found (remove it from scripts/number-allowlist.json): ${gone}`,
      );
    bad += base.size;
  }
  console.log(
    `${bad ? "FAIL" : "ok"}: ${bad} new typed number(s) or stale baseline entries; ${known} known ones left for the teaching pass`,
  );
  process.exit(bad ? 1 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
