/** Writes a throwaway notebook made of code cells (and optional markdown) into `dir`. */
import { writeFileSync } from "fs";
import { join } from "path";

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
