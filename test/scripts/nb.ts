/** Writes a throwaway notebook made of code cells (and optional markdown) into `dir`. */
import { writeFileSync } from "fs";
import { join } from "path";
import { projectRoot } from "../../src/project";

export function writeNotebook(
  dir: string,
  name: string,
  cells: Array<string | { md: string }>,
): string {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((c, i) =>
      typeof c === "string"
        ? {
            cell_type: "code",
            id: `c${i}`,
            metadata: {},
            source: c,
            outputs: [],
            execution_count: null,
          }
        : { cell_type: "markdown", id: `c${i}`, metadata: {}, source: c.md },
    ),
  };
  const path = join(dir, `${name}.ipynb`);
  writeFileSync(path, JSON.stringify(nb));
  return path;
}

/** Arguments to run `npm run notebooks`' script on the notebooks of `dir`, writing to `dir/out`. */
export const runnerArgs = (dir: string): string[] => [
  join(projectRoot(), "scripts", "run-notebooks.mjs"),
  "--dir",
  dir,
  "--out",
  join(dir, "out"),
];
