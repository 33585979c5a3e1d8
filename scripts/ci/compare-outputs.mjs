// node scripts/ci/compare-outputs.mjs RUNNER_DIR NBCONVERT_DIR [names…]
// Compares, cell by cell, the outputs of notebooks executed by the project's runner
// (reports/notebooks/*.ipynb) and by `jupyter nbconvert --execute`: the same number of outputs,
// of the same kinds (stream:stdout, stream:stderr, display_data, execute_result, error), in the
// same order. Consecutive stream outputs of one name count as one (clients may split or join
// them). Exits 1 listing every difference, 0 when all match.
import { readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The kinds of a cell's outputs, consecutive streams of one name merged. */
export function outputKinds(outputs = []) {
  const kinds = [];
  for (const o of outputs) {
    const kind = o.output_type === "stream" ? `stream:${o.name}` : o.output_type;
    if (kind.startsWith("stream:") && kinds[kinds.length - 1] === kind) continue;
    kinds.push(kind);
  }
  return kinds;
}

/** Differences between two executed copies of one notebook, as one-line messages. */
export function compareNotebooks(name, a, b) {
  const codeA = a.cells.filter((c) => c.cell_type === "code");
  const codeB = b.cells.filter((c) => c.cell_type === "code");
  if (codeA.length !== codeB.length)
    return [
      `${name}: ${codeA.length} code cells in the runner's copy, ${codeB.length} in nbconvert's`,
    ];
  const diffs = [];
  codeA.forEach((cell, i) => {
    const ka = outputKinds(cell.outputs);
    const kb = outputKinds(codeB[i].outputs);
    if (ka.join() !== kb.join())
      diffs.push(
        `${name}: code cell ${i}: runner [${ka.join(", ")}] vs nbconvert [${kb.join(", ")}]`,
      );
  });
  return diffs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [runnerDir, nbconvertDir, ...names] = process.argv.slice(2);
  if (!runnerDir || !nbconvertDir) {
    console.error("usage: compare-outputs.mjs RUNNER_DIR NBCONVERT_DIR [names…]");
    process.exit(2);
  }
  const files = names.length
    ? names.map((n) => `${basename(n, ".ipynb")}.ipynb`)
    : readdirSync(runnerDir)
        .filter((f) => f.endsWith(".ipynb"))
        .sort();
  const read = (p) => JSON.parse(readFileSync(p, "utf8"));
  const diffs = [];
  let cells = 0;
  let outputs = 0;
  for (const f of files) {
    let a, b;
    try {
      a = read(join(runnerDir, f));
      b = read(join(nbconvertDir, f));
    } catch (e) {
      diffs.push(`${f}: ${e.message.split("\n")[0]}`);
      continue;
    }
    diffs.push(...compareNotebooks(f, a, b));
    for (const c of a.cells.filter((c) => c.cell_type === "code")) {
      cells += 1;
      outputs += outputKinds(c.outputs).length;
    }
  }
  if (diffs.length) {
    for (const d of diffs) console.error(d);
    process.exit(1);
  }
  console.log(
    `outputs match: ${files.length} notebooks, ${cells} code cells, ${outputs} outputs (runner = nbconvert)`,
  );
}
